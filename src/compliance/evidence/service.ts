/**
 * Builds an organization's evidence pack for a period (docs/compliance.md#evidence-packs): a ZIP
 * streamed as it is written, each file hashed on the way, `manifest.json` last, signed with the
 * platform's audit seal key, and the export audited (`evidence.exported`).
 *
 * The order of work keeps the database free: the audit log is verified and sampled first (that
 * seals and reads in platform scope), the installation's facts are read in one platform snapshot,
 * then every organization file is read in one read-only repeatable-read transaction of the
 * organization (no transaction id, so the audit sealer is never held back), page by page.
 */
import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import {
  type AuditSample,
  type AuditVerification,
  auditSampleOf,
  readSample,
  type SealerDeps,
  sealAll,
} from '../../audit/index.ts';
import {
  canonicalJson,
  ed25519PublicJwk,
  type LoadedPlatformKey,
  type PlatformKeys,
  publicKeyFingerprint,
  sha256,
  signEd25519,
} from '../../crypto/index.ts';
import type { DeprovisioningReport } from '../../lifecycle/index.ts';
import type { OAuthClient } from '../../oauth/index.ts';
import {
  type AuditActor,
  type AuditWriter,
  type Clock,
  type Database,
  platformOrgId,
  type Tx,
  withOrg,
  withPlatform,
} from '../../platform/index.ts';
import type { RoleDefinition } from '../../rbac/index.ts';
import type { CampaignRecord, CampaignSummary } from '../../reviews/index.ts';
import { controls } from '../controls/catalog.ts';
import { resultsAt, resultsBetween, type StoredResult } from '../controls/results.store.ts';
import { rollbackSince } from './access-at-end.ts';
import {
  type PackControl,
  type PackManifest,
  packFormat,
  type SignedPackManifest,
} from './format.ts';
import { packFiles, policyFileKinds } from './layout.ts';
import {
  alertsCsv,
  auditCoverage,
  campaignsOfPeriod,
  deprovisioningFiles,
  deprovisioningOver,
  emptyMfaSummary,
  json,
  mfaEnrollmentCsv,
  oauthClientsFile,
  permissionMatrix,
  policyFile,
  reviewItemsCsv,
  userAccessCsv,
} from './org-files.ts';
import type { PackPeriod } from './period.ts';
import {
  encryptionFile,
  keyInventory,
  keyRotations,
  type PlatformConfig,
  tenantIsolationFile,
  tlsFile,
} from './platform-files.ts';
import { readme, type SummaryControl, summaryHtml, summaryPdf } from './summary.ts';
import { createPackZip, type PackZip } from './zip-writer.ts';

export interface EvidencePackDeps {
  database: Database;
  keys: PlatformKeys;
  clock: Clock;
  audit: AuditWriter;
  sealer: SealerDeps;
  verification: Pick<AuditVerification, 'run'>;
  /** VIGIL_EVIDENCE_SAMPLE_SIZE: how many audit events the sample draws. */
  sampleSize: number;
  config: PlatformConfig;
  /** The columns encrypted at rest (src/app/core.ts `encryptedColumns`). */
  encryptedColumns: readonly { table: string; column: string }[];
  rbac: {
    rolesOf(tx: Tx, orgId: string): Promise<RoleDefinition[]>;
    permissions: readonly { id: string; description: string; risk: string }[];
  };
  reviews: {
    list(tx: Tx, orgId: string): Promise<CampaignSummary[]>;
    record(tx: Tx, orgId: string, campaignId: string): Promise<CampaignRecord>;
  };
  /** The organization's OAuth clients as stored (grants and URIs; never secrets). */
  oauthClients(tx: Tx, orgId: string): Promise<OAuthClient[]>;
  deprovisioningReport(
    tx: Tx,
    orgId: string,
    period: { from: Date; to: Date },
  ): Promise<DeprovisioningReport>;
  /** The alert rules with their settings under an alert policy's settings (null: defaults). */
  alertRules(policySettings: unknown): unknown[];
}

export interface PackRequest {
  orgId: string;
  period: PackPeriod;
  actor: AuditActor;
}

export interface PackResult {
  fileCount: number;
  manifestSha256: string;
  manifest: PackManifest;
}

/** The standalone verifier the pack carries: the same script `vigil evidence verify` runs. */
const verifierSource = () => readFile(new URL('./verify-pack.mjs', import.meta.url));

const actorOf = (a: AuditActor) => ({ type: a.type, id: a.id ?? null });

/** The installation's facts and the platform's control results, in one platform snapshot. */
async function platformFacts(deps: EvidencePackDeps, orgId: string, period: PackPeriod) {
  const now = deps.clock.now();
  return withPlatform(
    deps.database,
    async (tx) => {
      return {
        inventory: await keyInventory(tx, now),
        rotations: await keyRotations(tx, orgId, period),
        tls: tlsFile(deps.config, now),
        encryption: await encryptionFile(
          tx,
          deps.config,
          deps.encryptedColumns,
          deps.database.kind,
          now,
        ),
        isolation: await tenantIsolationFile(tx, now),
        resultsAtEnd: await resultsAt(tx, platformOrgId, period.to),
        resultsDuring: await resultsBetween(tx, platformOrgId, period.from, period.to),
      };
    },
    'repeatable read, read only',
  );
}

type PlatformFacts = Awaited<ReturnType<typeof platformFacts>>;

/** One controls/results.json entry and one manifest entry per control of the catalog. */
function controlsOf(
  org: { atEnd: StoredResult[]; during: StoredResult[] },
  platform: PlatformFacts,
) {
  return controls.map((c) => {
    const rows =
      c.scope === 'platform' ? platform : { resultsAtEnd: org.atEnd, resultsDuring: org.during };
    const atEnd = rows.resultsAtEnd.find((r) => r.controlId === c.id) ?? null;
    const during = rows.resultsDuring.filter((r) => r.controlId === c.id);
    const pack: PackControl = {
      id: c.id,
      title: c.title,
      criteria: c.criteria,
      scope: c.scope,
      status: atEnd?.status ?? null,
      artifacts: c.evidence,
    };
    const summary: SummaryControl = {
      ...pack,
      description: c.description,
      summary: atEnd?.summary ?? null,
      exceptions: atEnd?.exceptions ?? [],
    };
    return { pack, summary, results: { id: c.id, scope: c.scope, test: c.test, atEnd, during } };
  });
}

/** Every organization file, in one read-only snapshot of the organization. */
async function writeOrgFiles(
  deps: EvidencePackDeps,
  zip: PackZip,
  request: PackRequest,
  before: { platform: PlatformFacts; sample: AuditSample; verification: unknown },
) {
  const { orgId, period } = request;
  const run = <T>(fn: (tx: Tx) => Promise<T>) =>
    orgId === platformOrgId
      ? withPlatform(deps.database, fn, 'repeatable read, read only')
      : withOrg(deps.database, orgId, fn, 'repeatable read, read only');
  return run(async (tx) => {
    const org = {
      atEnd: await resultsAt(tx, orgId, period.to),
      during: await resultsBetween(tx, orgId, period.from, period.to),
    };
    const catalog = controlsOf(org, before.platform);
    await zip.add(
      packFiles.controlResults,
      json({ asOf: period.to.toISOString(), controls: catalog.map((c) => c.results) }),
    );
    for (const kind of policyFileKinds)
      await zip.add(packFiles.policy(kind), await policyFile(tx, orgId, kind, period));

    const rollback = await rollbackSince(tx, orgId, period.to);
    const roles = await deps.rbac.rolesOf(tx, orgId);
    const privileged = new Set(roles.filter((r) => r.privileged).map((r) => r.key));
    await zip.add(
      packFiles.permissionMatrix,
      permissionMatrix(roles, deps.rbac.permissions, rollback, period.to),
    );
    await zip.add(packFiles.userAccess, userAccessCsv(tx, orgId, period.to, rollback, privileged));
    const rules = await tx
      .selectFrom('conflict_rules')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('created_at', '<', period.to)
      .orderBy('created_at')
      .execute();
    await zip.add(
      packFiles.conflictRules,
      json({
        asOf: period.to.toISOString(),
        rules: rules.map((r) => ({
          id: r.id,
          name: r.name,
          description: r.description,
          roles: r.roles,
          permissions: r.permissions,
          createdBy: r.created_by,
          createdAt: r.created_at.toISOString(),
        })),
      }),
    );

    await zip.add(packFiles.oauthClients, oauthClientsFile(await deps.oauthClients(tx, orgId)));

    const mfa = emptyMfaSummary(period.to);
    await zip.add(
      packFiles.mfaEnrollment,
      mfaEnrollmentCsv(tx, orgId, period.to, rollback, privileged, mfa),
    );
    await zip.add(packFiles.mfaSummary, json(mfa));

    const campaigns = campaignsOfPeriod(await deps.reviews.list(tx, orgId), period);
    const records: CampaignRecord[] = [];
    for (const c of campaigns) records.push(await deps.reviews.record(tx, orgId, c.id));
    await zip.add(
      packFiles.reviewCampaigns,
      json({
        from: period.from.toISOString(),
        to: period.to.toISOString(),
        campaigns: records.map((r) => ({ ...r.campaign, itemIds: r.items.map((i) => i.id) })),
      }),
    );
    await zip.add(packFiles.reviewItems, reviewItemsCsv(records));

    const deprovisioning = deprovisioningFiles(
      await deprovisioningOver((range) => deps.deprovisioningReport(tx, orgId, range), period),
    );
    await zip.add(packFiles.deprovisioningLog, deprovisioning.log);
    await zip.add(packFiles.deprovisioningSla, deprovisioning.sla);

    await zip.add(packFiles.alerts, alertsCsv(tx, orgId, period));
    const alertPolicy = await tx
      .selectFrom('security_policies')
      .select(['version', 'settings'])
      .where('org_id', '=', orgId)
      .where('kind', '=', 'alerts')
      .where('changed_at', '<', period.to)
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst();
    await zip.add(
      packFiles.alertRules,
      json({
        asOf: period.to.toISOString(),
        policyVersion: alertPolicy?.version ?? null,
        rules: deps.alertRules(alertPolicy?.settings ?? null),
      }),
    );

    const { platform, sample } = before;
    await zip.add(packFiles.keyInventory, platform.inventory);
    await zip.add(packFiles.keyRotations, platform.rotations);
    await zip.add(packFiles.tls, platform.tls);
    await zip.add(packFiles.encryption, platform.encryption);
    await zip.add(packFiles.tenantIsolation, platform.isolation);

    await zip.add(packFiles.auditSample, sample.lines.map((l) => `${l}\n`).join(''));
    await zip.add(packFiles.auditSampleProofs, json(sample.proofs));
    await zip.add(packFiles.auditVerify, json(before.verification));
    const coverage = await auditCoverage(tx, orgId, period);
    await zip.add(packFiles.auditCoverage, coverage.text);
    return { catalog, events: coverage.total };
  });
}

function signManifest(
  key: LoadedPlatformKey,
  manifest: Omit<PackManifest, 'key'>,
): SignedPackManifest {
  if (!key.privateKey || !key.publicKey || key.algorithm !== 'Ed25519')
    throw new Error(`platform key ${key.id} cannot sign evidence (an Ed25519 seal key is needed)`);
  const full: PackManifest = {
    ...manifest,
    key: {
      id: key.id,
      algorithm: 'Ed25519',
      fingerprint: publicKeyFingerprint(key.publicKey),
      publicKeyJwk: ed25519PublicJwk(key.publicKey),
    },
  };
  const signature = signEd25519(key.privateKey, Buffer.from(canonicalJson(full)));
  return { manifest: full, signature: signature.toString('base64url') };
}

/** The manifest file's one serialization. */
export const serializePackManifest = (signed: SignedPackManifest) =>
  Buffer.from(`${JSON.stringify(signed, null, 2)}\n`, 'utf8');

/** The pack's file name: `vigil-evidence-<slug>-<from>-<to>.zip`. */
export const packFileName = (slug: string, period: PackPeriod) =>
  `vigil-evidence-${slug}-${period.fromDate}-${period.toDate}.zip`;

export function createEvidencePacks(deps: EvidencePackDeps) {
  async function write(
    zip: PackZip,
    request: PackRequest,
    org: { id: string; slug: string; name: string },
    key: LoadedPlatformKey,
  ): Promise<PackResult> {
    const { orgId, period, actor } = request;
    const createdAt = deps.clock.now();
    // A full verification, recorded as runs are (audit.verified), then the sample it vouches for.
    const verification = await deps.verification.run(orgId, actor);
    // Pending events sealed first, so that the period's latest can be drawn too.
    await sealAll(deps.sealer);
    const rows = await withPlatform(
      deps.database,
      async (tx) => {
        return readSample(tx, { orgId, from: period.from, to: period.to, size: deps.sampleSize });
      },
      'repeatable read, read only',
    );
    const sample = await auditSampleOf(rows, deps.keys);
    const platform = await platformFacts(deps, orgId, period);
    const { catalog } = await writeOrgFiles(deps, zip, request, { platform, sample, verification });

    const fingerprint = publicKeyFingerprint(key.publicKey as NonNullable<typeof key.publicKey>);
    const about = {
      org,
      period: { from: period.from.toISOString(), to: period.to.toISOString() },
      createdAt: createdAt.toISOString(),
      createdBy: actorOf(actor),
    };
    const summary = {
      manifest: about,
      keyFingerprint: fingerprint,
      controls: catalog.map((c) => c.summary),
    };
    await zip.add(packFiles.summaryHtml, summaryHtml(summary));
    await zip.add(packFiles.summaryPdf, summaryPdf(summary));
    await zip.add(packFiles.readme, readme(about, fingerprint));
    await zip.add(packFiles.verifier, await verifierSource());

    const signed = signManifest(key, {
      format: packFormat,
      ...about,
      files: [...zip.entries],
      controls: catalog.map((c) => c.pack),
    });
    const bytes = serializePackManifest(signed);
    await zip.finish(packFiles.manifest, bytes);
    const manifestSha256 = sha256(bytes).toString('hex');
    const fileCount = zip.entries.length;
    const statuses = { pass: 0, fail: 0, not_applicable: 0, unchecked: 0 };
    for (const c of catalog) statuses[c.pack.status ?? 'unchecked']++;
    const record = (tx: Tx) =>
      deps.audit(tx, {
        orgId,
        action: 'evidence.exported',
        actor,
        details: {
          from: about.period.from,
          to: about.period.to,
          files: fileCount,
          manifestSha256,
          controls: statuses,
        },
      });
    await (orgId === platformOrgId
      ? withPlatform(deps.database, record)
      : withOrg(deps.database, orgId, record));
    return { fileCount, manifestSha256, manifest: signed.manifest };
  }

  return {
    /**
     * Starts a pack: the organization and the seal key are read first (so a refusal is an
     * error, not a broken download), then the ZIP streams from `stream` as it is written;
     * `done` settles once the manifest is written and the export audited.
     */
    async build(
      request: PackRequest,
    ): Promise<{ fileName: string; stream: Readable; done: Promise<PackResult> }> {
      const org = await withPlatform(deps.database, (tx) =>
        tx
          .selectFrom('organizations')
          .select(['id', 'slug', 'name'])
          .where('id', '=', request.orgId)
          .executeTakeFirstOrThrow(),
      );
      const key = await deps.keys.active('audit-seal');
      const zip = createPackZip();
      const done = write(zip, request, org, key);
      done.catch((err: unknown) => zip.fail(err instanceof Error ? err : new Error(String(err))));
      return {
        fileName: packFileName(org.slug, request.period),
        stream: zip.stream,
        done,
      };
    },
  };
}

export type EvidencePacks = ReturnType<typeof createEvidencePacks>;
