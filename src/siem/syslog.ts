import { isIP } from 'node:net';
import tls from 'node:tls';
import type { CheckedTarget } from '../platform/index.ts';

/** The CAs a stream trusts: the default ones (system and bundled) and the stream's own PEM. */
export function trustedCas(caPem: string | null): string[] | undefined {
  return caPem ? [...tls.getCACertificates('default'), caPem] : undefined;
}

/**
 * Writes one batch of octet-counted syslog frames over TLS (RFC 5425) and resolves once it is
 * written and flushed. The connection goes to the address the SSRF guard checked, never to the
 * name again; the certificate is verified against the system's CAs and the stream's own, for
 * the URL's host name (SNI and identity), TLS 1.2 at least.
 *
 * Syslog has no acknowledgement: a receiver that dies after the flush may lose what it had not
 * stored. A failure before the flush keeps the stream's position, and the batch goes again.
 */
export function writeSyslogBatch(
  target: CheckedTarget,
  caPem: string | null,
  frames: Buffer,
  timeoutMs: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: target.address,
      port: target.port,
      // RFC 6066 §3: no IP address as a server name; an address is checked against the IP SANs.
      servername: isIP(target.host) === 0 ? target.host : undefined,
      ca: trustedCas(caPem),
      minVersion: 'TLSv1.2',
      checkServerIdentity: (_name, cert) => tls.checkServerIdentity(target.host, cert),
    });
    let settled = false;
    const deadline = setTimeout(
      () => fail(new Error(`no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    function fail(err: Error) {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      socket.destroy();
      reject(err);
    }
    socket.on('error', (err) => fail(err));
    socket.on('data', () => {}); // a receiver has nothing to say; drained, not buffered
    socket.once('secureConnect', () => {
      // One write and the TLS close_notify: 'finish' fires once both are flushed.
      socket.end(frames, () => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        // The receiver closes its side in turn; a receiver that does not is not waited for.
        setTimeout(() => socket.destroy(), 5000).unref();
        resolve();
      });
    });
    socket.once('close', () => fail(new Error('the receiver closed the connection')));
  });
}
