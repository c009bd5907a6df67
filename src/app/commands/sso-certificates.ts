import type { SsoCertificate } from '../../federation/index.ts';
import { createServices } from '../services.ts';
import {
  type Command,
  findOrg,
  iso,
  onlyOptions,
  positional,
  print,
  required,
  tableOr,
  withCore,
} from './kit.ts';

/** Which key or connection a certificate belongs to, in a few words. */
const ownerOf = (c: SsoCertificate) =>
  c.source === 'saml_key' ? `SAML ${c.use} key (${c.state})` : `connection ${c.connectionName}`;

/** Expired, or how many days are left. */
const left = (c: SsoCertificate) => (c.daysLeft < 0 ? 'expired' : String(c.daysLeft));

/**
 * The SSO certificate inventory from the command line (docs/sso.md#certificates-and-their-expiry):
 * the same list as `GET /orgs/{orgId}/sso/certificates`, soonest expiry first.
 */
export const ssoCertificateCommands: Record<string, Command> = {
  async 'sso certificates'(ctx) {
    const command = 'sso certificates';
    onlyOptions(ctx, command, ['org']);
    positional(ctx, command, []);
    const slug = required(ctx, command, 'org', 'SLUG');
    return withCore(ctx, async (core) => {
      const services = createServices(core);
      const org = findOrg(await services.tenancy.organizations(), slug);
      const items = await services.ssoCertificates.inOrg.list(org.id);
      const rows = items.map((c) => [
        ownerOf(c),
        c.id,
        c.fingerprint,
        c.subject,
        iso(c.notAfter),
        left(c),
      ]);
      const header = ['FOR', 'ID', 'FINGERPRINT (SHA-256)', 'SUBJECT', 'NOT AFTER', 'DAYS LEFT'];
      print(ctx, tableOr(header, rows, `no SSO certificates in ${org.slug}`), { items });
      return 0;
    });
  },
};
