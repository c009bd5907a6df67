import { countFeedEventsAfter, feedEnd, feedStart } from '../audit/index.ts';
import { certificatesInPem, type Keyring, newWebhookSecret } from '../crypto/index.ts';
import {
  type AuditActor,
  type AuditWriter,
  type Clock,
  type Database,
  newId,
  type Outbound,
  orgScopeRunner,
  parseInput,
  type Tx,
} from '../platform/index.ts';
import { siemErrors } from './errors.ts';
import {
  positionOf,
  type SiemStream,
  type StreamInput,
  type StreamKind,
  type StreamUpdate,
  streamInputSchema,
  streamUpdateSchema,
  syslogAddress,
} from './model.ts';
import * as store from './store.ts';
import { trustedCas } from './syslog.ts';

/** Webhook stream secrets: keyring ciphertexts, the stream's id as additional data. */
export const siemSecretColumn = { table: 'siem_streams', column: 'secret_enc', idColumn: 'id' };

/** Lag is counted up to this many events: a stream further behind shows this number. */
export const lagCap = 100_000;

export interface SiemDeps {
  database: Database;
  keyring: Keyring;
  audit: AuditWriter;
  clock: Clock;
  /** The outbound client (SSRF guard) trusting these CAs (default: the system's). */
  outbound: (ca?: string[]) => Outbound;
  platformOrgId: string;
}

const invalid = (field: string, problem: string) => siemErrors.streamInvalid({ field, problem });

/** What the audit event shows of a stream's settings (never its secret). */
const settingsOf = (s: Pick<SiemStream, 'name' | 'kind' | 'format' | 'url' | 'enabled'>) => ({
  name: s.name,
  kind: s.kind,
  format: s.format,
  url: s.url,
  enabled: s.enabled,
});

/**
 * SIEM streams (docs/siem.md): where the audit log is sent, each with its own place in the feed.
 * A stream of the platform organization carries every organization's events; any other stream,
 * its organization's own.
 */
export function createSiemStreams(deps: SiemDeps) {
  const { keyring, clock } = deps;
  const inOrg = orgScopeRunner(deps.database, deps.platformOrgId);

  /** Refuses a URL of the wrong shape, or whose host the SSRF guard refuses, before it is kept. */
  async function checkTarget(kind: StreamKind, url: string, caPem: string | null) {
    if (caPem !== null && certificatesInPem(caPem).length === 0)
      throw invalid('caPem', 'holds no certificate that parses');
    const outbound = deps.outbound(trustedCas(caPem));
    if (kind === 'syslog') {
      const address = syslogAddress(url);
      if (typeof address === 'string') throw invalid('url', address);
      await outbound.resolveTarget(address.host, address.port);
      return;
    }
    if (!/^https?:\/\//i.test(url)) throw invalid('url', 'must be an https:// URL');
    await outbound.checkUrl(url);
  }

  async function toStream(tx: Tx, row: store.StreamRow): Promise<SiemStream> {
    const scope = row.org_id === deps.platformOrgId ? null : row.org_id;
    return {
      id: row.id,
      orgId: row.org_id,
      name: row.name,
      kind: row.kind,
      format: row.format,
      url: row.url,
      caPem: row.ca_pem,
      enabled: row.enabled,
      lag: await countFeedEventsAfter(tx, positionOf(row), scope, lagCap),
      failures: row.failures,
      lastError: row.last_error,
      lastDeliveredAt: row.last_delivered_at,
      nextAttemptAt: row.next_attempt_at,
      createdAt: row.created_at,
    };
  }

  async function rowIn(tx: Tx, orgId: string, id: string): Promise<store.StreamRow> {
    const row = await store.findStream(tx, id);
    if (row?.org_id !== orgId) throw siemErrors.streamNotFound();
    return row;
  }

  const encryptSecret = (secret: string, id: string) =>
    keyring.encrypt(secret, { ...siemSecretColumn, rowId: id });

  const service = {
    /** A new stream; a webhook stream's signing secret is returned this once. */
    async create(
      tx: Tx,
      orgId: string,
      input: StreamInput,
      actor: AuditActor,
    ): Promise<{ stream: SiemStream; secret: string | null }> {
      const data = parseInput(streamInputSchema, input, siemErrors.streamInvalid);
      await checkTarget(data.kind, data.url, data.caPem ?? null);
      const now = clock.now();
      const id = newId(now.getTime());
      const secret = data.kind === 'webhook' ? newWebhookSecret() : null;
      const start = data.from === 'beginning' ? feedStart : await feedEnd(tx);
      await store.insertStream(tx, {
        id,
        org_id: orgId,
        name: data.name,
        kind: data.kind,
        format: data.format,
        url: data.url,
        secret_enc: secret ? encryptSecret(secret, id) : null,
        ca_pem: data.caPem ?? null,
        enabled: true,
        position_tx: start.tx,
        position_seq: start.seq,
        sent_tx: start.tx,
        sent_seq: start.seq,
        created_by: actor.id ?? null,
        created_at: now,
        updated_at: now,
      });
      const row = await rowIn(tx, orgId, id);
      const stream = await toStream(tx, row);
      await deps.audit(tx, {
        orgId,
        action: 'siem.stream.created',
        actor,
        target: { type: 'siem_stream', id },
        details: { ...settingsOf(stream), from: data.from, caPem: stream.caPem !== null },
      });
      return { stream, secret };
    },

    async list(tx: Tx, orgId: string): Promise<SiemStream[]> {
      const rows = await store.streamsOf(tx, orgId);
      return Promise.all(rows.map((row) => toStream(tx, row)));
    },

    get: async (tx: Tx, orgId: string, id: string) => toStream(tx, await rowIn(tx, orgId, id)),

    /** Changes a stream's settings; its place in the feed stays (nothing is skipped or resent). */
    async update(
      tx: Tx,
      orgId: string,
      id: string,
      input: StreamUpdate,
      actor: AuditActor,
    ): Promise<SiemStream> {
      const data = parseInput(streamUpdateSchema, input, siemErrors.streamInvalid);
      const row = await rowIn(tx, orgId, id);
      const before = await toStream(tx, row);
      const url = data.url ?? row.url;
      const caPem = data.caPem === undefined ? row.ca_pem : data.caPem;
      if (data.url !== undefined || data.caPem !== undefined)
        await checkTarget(row.kind, url, caPem);
      await store.updateSettings(
        tx,
        id,
        {
          name: data.name,
          format: data.format,
          url,
          enabled: data.enabled,
          ca_pem: caPem,
          // A changed destination or a re-enabled stream is tried at the next round.
          next_attempt_at: null,
        },
        clock.now(),
      );
      const after = await toStream(tx, await rowIn(tx, orgId, id));
      await deps.audit(tx, {
        orgId,
        action: 'siem.stream.updated',
        actor,
        target: { type: 'siem_stream', id },
        details: {
          before: { ...settingsOf(before), caPem: before.caPem !== null },
          after: { ...settingsOf(after), caPem: after.caPem !== null },
        },
      });
      return after;
    },

    /** A new signing secret for a webhook stream, returned this once; the old one stops at once. */
    async rotateSecret(tx: Tx, orgId: string, id: string, actor: AuditActor): Promise<string> {
      const row = await rowIn(tx, orgId, id);
      if (row.kind !== 'webhook') throw siemErrors.notWebhook();
      const secret = newWebhookSecret();
      await store.updateSettings(tx, id, { secret_enc: encryptSecret(secret, id) }, clock.now());
      await deps.audit(tx, {
        orgId,
        action: 'siem.stream.updated',
        actor,
        target: { type: 'siem_stream', id },
        details: { secretRotated: true },
      });
      return secret;
    },

    async remove(tx: Tx, orgId: string, id: string, actor: AuditActor): Promise<void> {
      const row = await rowIn(tx, orgId, id);
      await store.deleteStream(tx, id);
      await deps.audit(tx, {
        orgId,
        action: 'siem.stream.deleted',
        actor,
        target: { type: 'siem_stream', id },
        details: { name: row.name, kind: row.kind, url: row.url },
      });
    },

    /** The use cases in their own transaction, for the CLI (platform org: platform scope). */
    inOrg: {
      create: (orgId: string, input: StreamInput, actor: AuditActor) =>
        inOrg(orgId, (tx) => service.create(tx, orgId, input, actor)),
      list: (orgId: string) => inOrg(orgId, (tx) => service.list(tx, orgId)),
      update: (orgId: string, id: string, input: StreamUpdate, actor: AuditActor) =>
        inOrg(orgId, (tx) => service.update(tx, orgId, id, input, actor)),
      rotateSecret: (orgId: string, id: string, actor: AuditActor) =>
        inOrg(orgId, (tx) => service.rotateSecret(tx, orgId, id, actor)),
      remove: (orgId: string, id: string, actor: AuditActor) =>
        inOrg(orgId, (tx) => service.remove(tx, orgId, id, actor)),
    },
  };
  return service;
}

export type SiemStreams = ReturnType<typeof createSiemStreams>;
