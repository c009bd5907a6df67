import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  archiveNames,
  createAuditArchiver,
  createRetentionPolicy,
  readArchive,
  s3ArchiveStore,
  verifyAuditLog,
} from '../src/audit/index.ts';
import { fixedClock, operatorActor } from '../src/platform/index.ts';
import { openTestCore, sealEverything, type TestCore } from './support/core.ts';

/** The body as sent: plain, or in aws-chunked framing (`size;chunk-signature=…\r\n…\r\n`). */
async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  if (!String(req.headers['content-encoding'] ?? '').includes('aws-chunked')) return raw;
  const out: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = raw.indexOf('\r\n', at);
    const size = Number.parseInt(raw.subarray(at, eol).toString().split(';')[0] ?? '0', 16);
    if (!size) return Buffer.concat(out);
    out.push(raw.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}

/**
 * A tiny in-process S3: path-style PUT, GET, HEAD, DELETE and ListObjectsV2 of one bucket,
 * enough for the archive store (never a network call).
 */
function fakeS3(bucket: string) {
  const objects = new Map<string, Buffer>();
  const requests: string[] = [];
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://s3.test');
    const [, name, ...rest] = url.pathname.split('/');
    const key = decodeURIComponent(rest.join('/'));
    requests.push(`${req.method} ${url.pathname}`);
    if (name !== bucket) {
      res.writeHead(404, { 'content-type': 'application/xml' });
      res.end('<Error><Code>NoSuchBucket</Code></Error>');
      return;
    }
    if (req.method === 'GET' && key === '' && url.searchParams.get('list-type') === '2') {
      const prefix = url.searchParams.get('prefix') ?? '';
      const keys = [...objects.keys()].filter((k) => k.startsWith(prefix)).sort();
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>${bucket}</Name><Prefix>${prefix}</Prefix><KeyCount>${keys.length}</KeyCount><IsTruncated>false</IsTruncated>${keys
          .map((k) => `<Contents><Key>${k}</Key><Size>${objects.get(k)?.length}</Size></Contents>`)
          .join('')}</ListBucketResult>`,
      );
      return;
    }
    const object = objects.get(key);
    if (req.method === 'PUT') {
      objects.set(key, await bodyOf(req));
      res.writeHead(200, { etag: '"1"' });
      res.end();
    } else if ((req.method === 'GET' || req.method === 'HEAD') && object) {
      res.writeHead(200, { 'content-length': object.length, etag: '"1"' });
      res.end(req.method === 'GET' ? object : undefined);
    } else if (req.method === 'GET' || req.method === 'HEAD') {
      res.writeHead(404, { 'content-type': 'application/xml' });
      res.end(req.method === 'GET' ? '<Error><Code>NoSuchKey</Code></Error>' : undefined);
    } else if (req.method === 'DELETE') {
      objects.delete(key);
      res.writeHead(204);
      res.end();
    } else {
      res.writeHead(405);
      res.end();
    }
  });
  return { server, objects, requests };
}

describe('S3-compatible audit archive store', () => {
  const s3 = fakeS3('vigil-audit');
  let endpoint = '';
  const clock = fixedClock(new Date('2026-01-05T10:00:00Z'));
  let core: TestCore;
  const storeFor = (prefix: string) =>
    s3ArchiveStore({
      url: `s3://vigil-audit/${prefix}`,
      region: 'us-east-1',
      endpoint,
      accessKeyId: 'test-access-key',
      secretAccessKey: 'test-secret-key',
    });

  before(async () => {
    await new Promise<void>((resolve) => s3.server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(s3.server.address() as AddressInfo).port}`;
    core = await openTestCore({ clock });
  });
  after(async () => {
    await core.close();
    s3.server.closeAllConnections();
    await new Promise((resolve) => s3.server.close(resolve));
  });

  it('puts, gets, lists and deletes objects under its prefix, path-style', async () => {
    const store = storeFor('deployment-a');
    await store.put('audit-2026-01.jsonl.gz', Buffer.from('first'));
    await store.put('audit-2026-01.manifest.json', Buffer.from('second'));
    assert.equal((await store.get('audit-2026-01.jsonl.gz'))?.toString(), 'first');
    assert.equal(await store.get('audit-1999-01.jsonl.gz'), null);
    assert.equal(await store.exists('audit-2026-01.manifest.json'), true);
    assert.equal(await store.exists('audit-1999-01.manifest.json'), false);
    assert.deepEqual(await store.list(), ['audit-2026-01.jsonl.gz', 'audit-2026-01.manifest.json']);
    assert.deepEqual(await storeFor('deployment-b').list(), [], 'another prefix sees nothing');
    await store.delete('audit-2026-01.jsonl.gz');
    assert.deepEqual(await store.list(), ['audit-2026-01.manifest.json']);
    assert.ok(s3.objects.has('deployment-a/audit-2026-01.manifest.json'));
    assert.ok(s3.requests.some((r) => r.startsWith('PUT /vigil-audit/deployment-a/')));
    await assert.rejects(store.put('../escape', Buffer.from('x')), /not an archive file name/);
  });

  it('archives a month into the bucket, verifies it read back, and restores it from there', async () => {
    const orgId = await core.createOrg('bucketco');
    for (let i = 0; i < 4; i++)
      await core.audit.append({ orgId, action: 'auth.login.failed', outcome: 'failure' });
    await sealEverything(core);
    const store = storeFor('archives');
    const archiver = createAuditArchiver({
      database: core.database,
      keys: core.keys,
      clock,
      audit: core.audit.record,
      store,
      sealer: core.sealer,
      hotDays: 30,
      retentionDays: 400,
      retention: createRetentionPolicy({ audit: core.audit.record, clock }),
    });
    clock.set(new Date('2026-03-10T00:00:00Z'));
    assert.deepEqual((await archiver.round(operatorActor))?.archived, ['2026-01']);
    assert.ok(s3.objects.has(`archives/${archiveNames('2026-01').events}`));
    assert.deepEqual((await readArchive(store, '2026-01')).findings, []);
    assert.deepEqual((await verifyAuditLog(core)).findings, []);
    assert.ok((await archiver.restore('2026-01', operatorActor)).events >= 4);
    assert.deepEqual((await verifyAuditLog(core)).findings, []);
  });
});
