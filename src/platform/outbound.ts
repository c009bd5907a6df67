import { promises as dns } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { type AllowList, allowListOf, refusedRangeOf } from './outbound/addresses.ts';
import { outboundErrors } from './outbound/errors.ts';

export { outboundErrors } from './outbound/errors.ts';

/** One address of a host, as `dns.lookup` answers it. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** A target that passed the SSRF guard: connect to `address`, never to `host` again. */
export interface CheckedTarget {
  host: string;
  port: number;
  address: string;
  family: 4 | 6;
  /** The operator allowed it in VIGIL_OUTBOUND_ALLOW (so plain http is accepted too). */
  allowed: boolean;
}

export interface OutboundRequest {
  method?: 'GET' | 'POST' | 'PUT';
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** The whole call, resolution included (default: the client's, 10 s). */
  timeoutMs?: number;
  /** Read at most this much of the answer (default: the client's, 64 KiB); the rest is dropped. */
  maxBodyBytes?: number;
}

export interface OutboundResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** The answer was longer than `maxBodyBytes`. */
  truncated: boolean;
}

export interface OutboundOptions {
  /** VIGIL_OUTBOUND_ALLOW: host names, addresses and CIDR networks allowed although not public. */
  allow: readonly string[];
  /** Tests resolve names without DNS; default `dns.lookup` (the system resolver, /etc/hosts). */
  resolve?: (host: string) => Promise<ResolvedAddress[]>;
  timeoutMs?: number;
  maxBodyBytes?: number;
  /** Extra CA certificates for https targets (tests' self-signed receivers). */
  ca?: string | string[];
}

/**
 * The only outbound network client (docs/webhooks.md#ssrf-guard). A tenant's administrator
 * chooses webhook URLs, so every call is checked: the host's every address must be public
 * unicast (or allowed by the operator), the connection goes to the address that was checked
 * (a second DNS answer cannot swap in 127.0.0.1: no rebinding), redirects are never followed
 * (a public URL cannot bounce the call inward), and time and answer size are bounded.
 */
export function createOutbound(options: OutboundOptions) {
  const allowList: AllowList = allowListOf(options.allow);
  const defaultTimeoutMs = options.timeoutMs ?? 10_000;
  const defaultMaxBody = options.maxBodyBytes ?? 64 * 1024;
  const resolve =
    options.resolve ??
    (async (host: string) =>
      (await dns.lookup(host, { all: true, verbatim: true })) as ResolvedAddress[]);

  /**
   * Resolves `host` and checks every address it has; returns the one to connect to. Also for
   * clients that are not HTTP (the SIEM's syslog over TLS): connect to `address` and send
   * `host` as the TLS server name.
   */
  async function resolveTarget(rawHost: string, port: number): Promise<CheckedTarget> {
    const host = rawHost.replace(/^\[(.*)\]$/, '$1').toLowerCase();
    const literal = isIP(host);
    let addresses: ResolvedAddress[];
    if (literal !== 0) {
      addresses = [{ address: host, family: literal === 6 ? 6 : 4 }];
    } else {
      try {
        addresses = await resolve(host);
      } catch (err) {
        const problem = (err as NodeJS.ErrnoException).code ?? String(err);
        throw outboundErrors.unresolvable({ host, problem, cause: err });
      }
      if (addresses.length === 0) throw outboundErrors.unresolvable({ host, problem: 'ENODATA' });
    }
    const nameAllowed = literal === 0 && allowList.allowsName(host);
    // Every address, not only the first: a name may answer a public and a private one, and
    // which of them a later lookup puts first is the attacker's choice.
    for (const { address } of addresses) {
      const range = refusedRangeOf(address);
      if (range && !nameAllowed && !allowList.allowsAddress(address))
        throw outboundErrors.targetRefused({ host, address, range });
    }
    const [first] = addresses as [ResolvedAddress];
    const allowed =
      nameAllowed || addresses.every(({ address }) => allowList.allowsAddress(address));
    return { host, port, address: first.address, family: first.family, allowed };
  }

  /** Parses and checks a URL (at configuration time and before every call). */
  async function checkUrl(value: string): Promise<{ url: URL; target: CheckedTarget }> {
    const url = URL.parse(value);
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:'))
      throw outboundErrors.urlInvalid({ url: value, problem: 'not an absolute http(s) URL' });
    if (url.username || url.password || url.hash)
      throw outboundErrors.urlInvalid({ url: value, problem: 'credentials or a fragment' });
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    const target = await resolveTarget(url.hostname, port);
    if (url.protocol === 'http:' && !target.allowed)
      throw outboundErrors.httpsRequired({ url: value });
    return { url, target };
  }

  async function request(value: string, call: OutboundRequest = {}): Promise<OutboundResponse> {
    const timeoutMs = call.timeoutMs ?? defaultTimeoutMs;
    const signal = AbortSignal.timeout(timeoutMs);
    const { url, target } = await withDeadline(checkUrl(value), signal, target_(value), timeoutMs);
    // Whatever the family the socket asks for, it gets the checked address.
    const lookup: LookupFunction = (_host, lookupOptions, done) => {
      if (lookupOptions.all) done(null, [{ address: target.address, family: target.family }]);
      else done(null, target.address, target.family);
    };
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise<OutboundResponse>((settle, fail) => {
      const req = transport.request(url, {
        method: call.method ?? 'GET',
        headers: call.headers,
        lookup,
        // A socket of its own: no pooled connection made for another check is reused.
        agent: false,
        signal,
        ca: options.ca,
        minVersion: 'TLSv1.2',
      });
      const failWith = (err: unknown) =>
        fail(
          signal.aborted
            ? outboundErrors.timedOut({ host: target.host, ms: timeoutMs, cause: err })
            : outboundErrors.failed({ host: target.host, problem: problemOf(err), cause: err }),
        );
      req.on('error', failWith);
      req.on('response', (res) => {
        const max = call.maxBodyBytes ?? defaultMaxBody;
        const chunks: Buffer[] = [];
        let size = 0;
        let truncated = false;
        const done = () =>
          settle({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).subarray(0, max),
            truncated,
          });
        res.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.length;
          if (size > max) {
            // Enough read: stop the transfer rather than buffer a hostile endless answer.
            truncated = true;
            res.removeAllListeners('data');
            req.destroy();
            done();
          }
        });
        res.on('end', done);
        res.on('error', failWith);
      });
      req.end(call.body);
    });
  }

  return { resolveTarget, checkUrl, request };
}

export type Outbound = ReturnType<typeof createOutbound>;

const target_ = (value: string) => URL.parse(value)?.hostname ?? value;

function problemOf(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code ?? e.message ?? String(err);
}

/** `work`, or a timeout error once `signal` fires (a slow DNS answer counts against the call). */
function withDeadline<T>(work: Promise<T>, signal: AbortSignal, host: string, ms: number) {
  return new Promise<T>((settle, fail) => {
    const onAbort = () => fail(outboundErrors.timedOut({ host, ms }));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(settle, fail).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
