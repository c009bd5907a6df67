import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createOutbound, isAppError, type ResolvedAddress } from '../src/platform/index.ts';

const refusedWith = (code: string, pattern?: RegExp) => (err: unknown) =>
  isAppError(err) && err.code === code && (!pattern || pattern.test(err.message));

/** Names resolved by a table instead of DNS, as an attacker's DNS would answer them. */
const dnsTable: Record<string, ResolvedAddress[]> = {
  'public.example': [{ address: '93.184.215.14', family: 4 }],
  'internal.example': [{ address: '10.1.2.3', family: 4 }],
  // One public and one private answer: the private one is refused although it is not first.
  'mixed.example': [
    { address: '93.184.215.14', family: 4 },
    { address: '192.168.1.10', family: 4 },
  ],
  'metadata.example': [{ address: '169.254.169.254', family: 4 }],
  'receiver.test': [{ address: '127.0.0.1', family: 4 }],
};
const tableResolve = async (host: string) => {
  const found = dnsTable[host];
  if (!found) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
  return found;
};

describe('outbound client: the SSRF guard', () => {
  const guard = createOutbound({ allow: [], resolve: tableResolve });

  const refusedAddresses: [string, string][] = [
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['::1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.0.1', 'private'],
    ['fd12:3456::1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.254', 'carrier-grade NAT'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.251', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['192.0.2.7', 'documentation'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.7', 'documentation'],
    ['2001:db8::7', 'documentation'],
    ['198.18.0.1', 'benchmarking'],
    ['240.0.0.1', 'reserved'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:a00:1', 'private'],
    ['::ffff:169.254.169.254', 'link-local'],
  ];
  for (const [address, range] of refusedAddresses) {
    it(`refuses ${address} (${range})`, async () => {
      await assert.rejects(
        guard.resolveTarget(address, 443),
        refusedWith('outbound.target_refused', new RegExp(`is a ${range} address`)),
      );
    });
  }

  it('accepts public addresses, and the first just outside each private range', async () => {
    for (const address of ['93.184.215.14', '172.32.0.1', '100.128.0.1', '2606:4700::1111']) {
      const target = await guard.resolveTarget(address, 443);
      assert.equal(target.address, address);
      assert.equal(target.allowed, false);
    }
  });

  it('refuses URLs whose host is a private address in any spelling the URL parser accepts', async () => {
    for (const url of [
      'https://[::ffff:127.0.0.1]/hook',
      'https://2130706433/hook',
      'https://0x7f.1/hook',
      'https://[::1]:8443/hook',
    ]) {
      await assert.rejects(guard.checkUrl(url), refusedWith('outbound.target_refused'), url);
    }
  });

  it('refuses a name that resolves to a private address, even when another answer is public', async () => {
    await assert.rejects(
      guard.resolveTarget('internal.example', 443),
      refusedWith('outbound.target_refused', /internal\.example: 10\.1\.2\.3 is a private/),
    );
    await assert.rejects(
      guard.resolveTarget('mixed.example', 443),
      refusedWith('outbound.target_refused', /192\.168\.1\.10/),
    );
    await assert.rejects(
      guard.checkUrl('https://metadata.example/latest/meta-data/'),
      refusedWith('outbound.target_refused', /link-local/),
    );
    const ok = await guard.resolveTarget('public.example', 443);
    assert.deepEqual(ok, {
      host: 'public.example',
      port: 443,
      address: '93.184.215.14',
      family: 4,
      allowed: false,
    });
  });

  it('refuses localhost through the real resolver (it resolves to loopback)', async () => {
    const real = createOutbound({ allow: [] });
    await assert.rejects(
      real.resolveTarget('localhost', 443),
      refusedWith('outbound.target_refused', /is a loopback address/),
    );
  });

  it('says a name that does not resolve does not resolve', async () => {
    await assert.rejects(
      guard.resolveTarget('nowhere.example', 443),
      refusedWith('outbound.unresolvable'),
    );
  });

  it('allows a host by name, by address and by CIDR network, and nothing next to them', async () => {
    const byName = createOutbound({ allow: ['internal.example'], resolve: tableResolve });
    assert.equal((await byName.resolveTarget('INTERNAL.example', 443)).allowed, true);
    await assert.rejects(
      byName.resolveTarget('10.1.2.3', 443),
      refusedWith('outbound.target_refused'),
    );

    const byCidr = createOutbound({ allow: ['10.0.0.0/8', 'fd00::/8'], resolve: tableResolve });
    assert.equal((await byCidr.resolveTarget('internal.example', 443)).address, '10.1.2.3');
    assert.equal((await byCidr.resolveTarget('::ffff:10.9.9.9', 443)).allowed, true);
    assert.equal((await byCidr.resolveTarget('fd00::5', 443)).allowed, true);
    await assert.rejects(
      byCidr.resolveTarget('192.168.1.1', 443),
      refusedWith('outbound.target_refused'),
    );
    await assert.rejects(
      byCidr.resolveTarget('mixed.example', 443),
      refusedWith('outbound.target_refused'),
    );

    const byAddress = createOutbound({ allow: ['169.254.169.254'], resolve: tableResolve });
    assert.equal((await byAddress.resolveTarget('metadata.example', 80)).allowed, true);
    await assert.rejects(
      byAddress.resolveTarget('169.254.169.253', 80),
      refusedWith('outbound.target_refused'),
    );
  });

  it('wants https unless the target is allowed, and an absolute URL without credentials', async () => {
    await assert.rejects(
      guard.checkUrl('http://public.example/hook'),
      refusedWith('outbound.https_required'),
    );
    const allowed = createOutbound({ allow: ['receiver.test'], resolve: tableResolve });
    assert.equal((await allowed.checkUrl('http://receiver.test:8080/hook')).target.port, 8080);
    for (const bad of [
      'ftp://public.example/',
      '/relative',
      'https://u:p@public.example/',
      'https://public.example/#x',
    ])
      await assert.rejects(guard.checkUrl(bad), refusedWith('outbound.url_invalid'), bad);
  });

  it('refuses a malformed allow-list network at start', () => {
    assert.throws(() => createOutbound({ allow: ['10.0.0.0/33'] }), /not a valid network/);
  });
});

describe('outbound client: calls', () => {
  let server: Server;
  let base: string;
  const seen: { url: string; host: string | undefined; body: string }[] = [];

  const readBody = async (req: IncomingMessage) => {
    let text = '';
    for await (const chunk of req) text += chunk;
    return text;
  };

  before(async () => {
    server = createServer(async (req, res) => {
      seen.push({ url: req.url ?? '', host: req.headers.host, body: await readBody(req) });
      if (req.url === '/redirect') {
        res.writeHead(302, { location: `${base}/landing` }).end();
      } else if (req.url === '/slow') {
        setTimeout(() => res.end('late'), 2000).unref();
      } else if (req.url === '/big') {
        res.write(Buffer.alloc(100_000, 'x'));
        res.end();
      } else {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      }
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    base = `http://receiver.test:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  const client = () => createOutbound({ allow: ['127.0.0.1/32'], resolve: tableResolve });

  it('connects to the checked address and keeps the Host header of the URL', async () => {
    const answer = await client().request(`${base}/hook`, { method: 'POST', body: '{"a":1}' });
    assert.equal(answer.status, 200);
    assert.equal(answer.body.toString(), 'ok');
    const last = seen.at(-1);
    assert.equal(last?.host, new URL(base).host);
    assert.equal(last?.body, '{"a":1}');
  });

  it('refuses the call when the name resolves to a refused address at send time', async () => {
    const strict = createOutbound({ allow: [], resolve: tableResolve });
    const before = seen.length;
    await assert.rejects(strict.request(`${base}/hook`), refusedWith('outbound.target_refused'));
    assert.equal(seen.length, before, 'nothing reached the receiver');
  });

  it('never follows a redirect: the 3xx is the answer', async () => {
    const answer = await client().request(`${base}/redirect`);
    assert.equal(answer.status, 302);
    assert.equal(
      seen.some((s) => s.url === '/landing'),
      false,
    );
  });

  it('gives up after its timeout', async () => {
    await assert.rejects(
      client().request(`${base}/slow`, { timeoutMs: 200 }),
      refusedWith('outbound.timed_out', /within 200 ms/),
    );
  });

  it('reads at most maxBodyBytes of the answer', async () => {
    const answer = await client().request(`${base}/big`, { maxBodyBytes: 1000 });
    assert.equal(answer.body.length, 1000);
    assert.equal(answer.truncated, true);
  });

  it('says a connection refused failed', async () => {
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((done) => closed.close(done));
    await assert.rejects(
      client().request(`http://receiver.test:${port}/`),
      refusedWith('outbound.failed', /ECONNREFUSED/),
    );
  });
});
