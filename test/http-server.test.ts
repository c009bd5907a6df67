import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import tls from 'node:tls';
import type { RunningServer } from '../src/app/server.ts';
import { platformOrgId, withPlatform } from '../src/platform/index.ts';
import { openTestCore, type TestCore } from './support/core.ts';
import { asOwner } from './support/database.ts';
import { request, startTestServer } from './support/http.ts';

/** Resolves with the negotiated protocol and cipher, or rejects with the TLS error. */
function negotiate(
  port: number,
  version: tls.SecureVersion,
  // By default the client offers everything, old protocols included, so a refusal is the server's.
  ciphers = 'ALL:@SECLEVEL=0',
): Promise<{ protocol: string; cipher: string }> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: '127.0.0.1',
      port,
      minVersion: version === 'TLSv1.3' ? 'TLSv1.3' : 'TLSv1',
      maxVersion: version,
      ciphers,
      rejectUnauthorized: false,
    });
    socket.once('secureConnect', () => {
      resolve({ protocol: socket.getProtocol() ?? '', cipher: socket.getCipher().standardName });
      socket.end();
    });
    socket.once('error', reject);
  });
}

async function handshake(port: number, version: tls.SecureVersion): Promise<string> {
  return (await negotiate(port, version)).protocol;
}

describe('HTTP server', () => {
  let core: TestCore;
  let server: RunningServer;
  let port: number;

  before(async () => {
    core = await openTestCore();
    server = await startTestServer(core);
    port = Number(new URL(server.url).port);
  });
  after(async () => {
    await server.stop();
    await core.close();
  });

  it('serves /healthz over HTTPS with security headers and a request id', async () => {
    const res = await request(`${server.url}/healthz`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { status: 'ok' });
    assert.equal(res.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains');
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['x-frame-options'], 'DENY');
    assert.match(String(res.headers['content-security-policy']), /default-src 'none'/);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.match(String(res.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    const traced = await request(`${server.url}/healthz`, {
      headers: { 'x-request-id': 'trace-42' },
    });
    assert.equal(traced.headers['x-request-id'], 'trace-42');
    const hostile = await request(`${server.url}/healthz`, {
      headers: { 'x-request-id': 'a b<script>' },
    });
    assert.match(String(hostile.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  });

  it('accepts TLS 1.2 and 1.3 and refuses TLS 1.1 and 1.0', async () => {
    assert.equal(await handshake(port, 'TLSv1.2'), 'TLSv1.2');
    assert.equal(await handshake(port, 'TLSv1.3'), 'TLSv1.3');
    for (const old of ['TLSv1.1', 'TLSv1'] as const) {
      await assert.rejects(handshake(port, old), (err: Error & { code?: string }) => {
        // The server's alert, not a client that refused to try.
        assert.match(String(err.code), /ALERT_PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL|WRONG_VERSION/);
        return true;
      });
    }
  });

  it('offers TLS 1.2 only AEAD suites with forward secrecy', async () => {
    // A client offering everything still lands on ECDHE with an AEAD cipher.
    const chosen = await negotiate(port, 'TLSv1.2');
    assert.match(
      chosen.cipher,
      /^TLS_ECDHE_(ECDSA|RSA)_WITH_(AES_(128|256)_GCM|CHACHA20_POLY1305)_SHA/,
    );
    // Clients that offer only CBC, CCM, ARIA or static-RSA suites get no handshake at all.
    const refusedLists = [
      'ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA384',
      'ECDHE-ECDSA-AES128-CCM:ECDHE-ECDSA-AES256-CCM:ECDHE-ECDSA-AES128-CCM8:ECDHE-ECDSA-AES256-CCM8',
      'ECDHE-ECDSA-ARIA128-GCM-SHA256:ECDHE-ECDSA-ARIA256-GCM-SHA384',
      'AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA',
    ];
    for (const ciphers of refusedLists) {
      await assert.rejects(
        negotiate(port, 'TLSv1.2', `${ciphers}:@SECLEVEL=0`),
        (err: Error & { code?: string }) => {
          assert.match(String(err.code), /HANDSHAKE_FAILURE|NO_SHARED_CIPHER/, ciphers);
          return true;
        },
      );
    }
  });

  it('reports readiness from the database and its migrations', async () => {
    assert.equal((await request(`${server.url}/readyz`)).status, 200);
    await asOwner(core.database, 'DELETE FROM schema_migrations WHERE version = 1');
    try {
      const res = await request(`${server.url}/readyz`);
      assert.equal(res.status, 503);
      assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
      assert.match(res.json().detail, /migrations pending: 0001_foundation/);
    } finally {
      await core.database.ownerTransaction(async (s) => {
        const { listMigrations } = await import('../src/platform/index.ts');
        const [m] = await listMigrations();
        await s.query(
          'INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)',
          [m?.version, m?.name, m?.checksum],
        );
      });
    }
    assert.equal((await request(`${server.url}/readyz`)).status, 200);
  });

  it('answers bad input with RFC 9457 problems, never a 500', async () => {
    const notFound = await request(`${server.url}/nope?secret=1`);
    assert.equal(notFound.status, 404);
    assert.equal(notFound.headers['content-type'], 'application/problem+json; charset=utf-8');
    const problem = notFound.json();
    assert.equal(problem.status, 404);
    assert.equal(problem.code, 'not_found');
    assert.equal(problem.instance, undefined);
    assert.ok(!notFound.text.includes('secret=1'));
    const badJson = await request(`${server.url}/bootstrap`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"token":',
    });
    assert.equal(badJson.status, 400);
    assert.equal(badJson.json().title, 'Bad Request');
    assert.match(badJson.json().code, /^request\./);
    const tooBig = await request(`${server.url}/bootstrap`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: 'x'.repeat(2_000_000) }),
    });
    assert.equal(tooBig.status, 413);
    assert.equal(tooBig.json().code, 'request.too_large');
    const wrongType = await request(`${server.url}/bootstrap`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: 'a,b',
    });
    assert.equal(wrongType.status, 415);
    const wrongShape = await request(`${server.url}/bootstrap`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: 42, email: ['x'] }),
    });
    assert.equal(wrongShape.status, 400);
    assert.equal(wrongShape.json().code, 'request.invalid');
  });

  it('serves Prometheus metrics to loopback scrapers', async () => {
    const res = await request(`${server.url}/metrics`);
    assert.equal(res.status, 200);
    assert.match(
      res.text,
      /vigil_http_requests_total\{method="GET",route="\/healthz",status="200"\} \d+/,
    );
    assert.match(res.text, /vigil_process_cpu_seconds_total/);
  });
});

describe('HTTP server settings', () => {
  let core: TestCore;
  before(async () => {
    core = await openTestCore();
  });
  after(() => core.close());

  it('with VIGIL_TLS_MIN_VERSION=TLSv1.3 refuses TLS 1.2', async () => {
    const server = await startTestServer(core, { VIGIL_TLS_MIN_VERSION: 'TLSv1.3' });
    try {
      const port = Number(new URL(server.url).port);
      assert.equal(await handshake(port, 'TLSv1.3'), 'TLSv1.3');
      await assert.rejects(handshake(port, 'TLSv1.2'));
    } finally {
      await server.stop();
    }
  });

  it('demands the bearer token for /metrics when one is configured', async () => {
    const token = 'm'.repeat(40);
    const server = await startTestServer(core, { VIGIL_METRICS_TOKEN: token });
    try {
      for (const path of ['/metrics', '/metrics?x=1']) {
        const denied = await request(`${server.url}${path}`);
        assert.equal(denied.status, 403);
        assert.equal(denied.json().code, 'metrics.forbidden');
      }
      const wrong = await request(`${server.url}/metrics`, {
        headers: { authorization: `Bearer ${'x'.repeat(40)}` },
      });
      assert.equal(wrong.status, 403);
      const allowed = await request(`${server.url}/metrics`, {
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(allowed.status, 200);
    } finally {
      await server.stop();
    }
  });

  it('behind a TLS proxy serves plain HTTP, keeps HSTS and trusts X-Forwarded-For only from the proxy', async () => {
    const server = await startTestServer(core, {
      VIGIL_BEHIND_TLS_PROXY: 'true',
      VIGIL_TRUSTED_PROXIES: '127.0.0.1',
      VIGIL_PUBLIC_URL: 'https://id.example.test',
    });
    try {
      assert.match(server.url, /^http:\/\//);
      const res = await request(`${server.url}/healthz`);
      assert.equal(res.status, 200);
      assert.match(String(res.headers['strict-transport-security']), /max-age=/);
      await request(`${server.url}/bootstrap`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.7' },
        body: JSON.stringify({ token: 'bogus.token' }),
      });
      await new Promise((r) => setTimeout(r, 50));
      const failed = await withPlatform(core.database, (tx) =>
        tx
          .selectFrom('audit_events')
          .select(['actor_ip', 'org_id'])
          .where('action', '=', 'bootstrap.failed')
          .execute(),
      );
      assert.deepEqual(failed, [{ actor_ip: '203.0.113.7', org_id: platformOrgId }]);
    } finally {
      await server.stop();
    }
  });
});
