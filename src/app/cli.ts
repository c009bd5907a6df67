// First: libuv's thread pool is sized before anything can start it.
import './thread-pool.ts';
import { parseArgs } from 'node:util';
import {
  type Config,
  createLogger,
  type Database,
  isAppError,
  type Logger,
  loadConfig,
} from '../platform/index.ts';
import { commands } from './commands/index.ts';
import { type CommandContext, UsageError } from './commands/kit.ts';

const usage = `Usage: vigil <command> [options]

Commands:
  start                         start the server (same as npm start)
  migrate                       apply pending database migrations
  admin bootstrap               print a fresh one-time link to create the first platform administrator
  orgs create --slug SLUG --name NAME
                                create a customer organization
  orgs list                     every organization
  orgs suspend --slug SLUG --reason TEXT
                                suspend an organization: its users are signed out everywhere, and
                                no sign-in, access token or API key of it works until reactivated
  orgs reactivate --slug SLUG [--reason TEXT]
                                lift the suspension (what was revoked stays revoked)
  users create --org SLUG --email EMAIL [--name NAME] [--role KEY]...
                                create a user with a temporary password, printed once, which they
                                must change at their first sign-in (Vigil sends no invitation
                                mail); --role gives roles as \`roles assign\` does
  users list --org SLUG [--limit N] [--after ID]
                                the users of an organization, a page at a time (default 100)
  users end-date --org SLUG --user EMAIL|ID --at ISO|none
                                set (or clear) the user's end date: the lifecycle schedule
                                deprovisions them then (a past date: at its next round)
  roles list --org SLUG         the roles of an organization, their flags and how many hold each
  roles assign --org SLUG --user EMAIL --role KEY [--reason TEXT] [--expires ISO]
                                give a user a role under the admin API's rules (conflict rules
                                refuse it); a role that needs approval is granted at once by the
                                operator, the break-glass actor, and audited as such
  keys list                     the key inventory: data keys, platform keys, ciphertexts per key,
                                and the OIDC signing keys with their schedule
  keys rotate [--no-wait]       activate a new data key and re-encrypt every ciphertext under it
                                (--no-wait: leave the re-encryption to the running nodes)
  keys rotate --master --new-master-key-file FILE
                                re-wrap every data key under a new master key
  keys rotate --platform PURPOSE
                                replace the active platform key (audit-mac | audit-seal)
  keys rotate --signing [--alg ES256|RS256]
                                publish a new OIDC signing key (both algorithms by default); it
                                signs after the publish-ahead time, the old one stays in JWKS
  clients create --name NAME --kind web|spa|native|machine [--org SLUG]
                 [--redirect-uri URI]... [--post-logout-uri URI]... [--backchannel-logout-uri URI]
                 [--grant GRANT]... [--resource URI]... [--api-scope SCOPE]... [--first-party]
                                register an OAuth client (no --org: a platform client, serving
                                every organization); prints its secret once
  clients list [--org SLUG]     the OAuth clients (never their secrets)
  clients rotate-secret ID      a new client secret, printed once; the old one works for a while
  clients disable ID            disable a client: no more sign-ins, its tokens stop working
  apikeys create --org SLUG --name NAME --permission ID [--permission ID]... [--expires-in-days N]
                                an API key for an integration (default 90 days); printed once
  apikeys list --org SLUG       the API keys of an organization (never their secrets)
  apikeys revoke ID --org SLUG --reason TEXT
                                revoke a key at once
  scim tokens create --org SLUG --name NAME [--days N]
                                a SCIM bearer token for the organization's HR directory (default
                                180 days, at most 365), printed once with the SCIM base URL
  scim tokens list --org SLUG   the SCIM tokens of an organization (never their secrets)
  scim tokens revoke --org SLUG --id ID
                                revoke a SCIM token at once
  scim groups list --org SLUG   the groups the directory pushed, their members and mapped roles
  scim groups map --org SLUG --group ID --roles KEY,KEY
                                the roles a group's members hold ('' clears); members synced now
  access matrix --org SLUG [--format csv|json] [--out FILE]
                                the permission matrix: every role, its purpose and permissions
  access users --org SLUG [--format csv|json] [--out FILE]
                                user access: status, roles, privileged, MFA, last sign-in
  lifecycle report --org SLUG [--from ISO] [--to ISO] [--format table|csv|json]
                                the deprovisioning SLA report of a period (default the last 30
                                days): who asked, when every surface was denied, met or missed
  lifecycle run                 one round of the lifecycle schedule now (end dates reached,
                                dormant-account warnings and suspensions); skipped while another
                                node runs one
  audit verify                  seal pending events, then check the whole audit log for tampering
  audit verify --archive PATH [--public-key FILE]
                                check archived months offline (a directory or one month's
                                file): signatures, every event line, the chain across months
                                and into the live log when a database is configured
  audit archive                 one archive round now: months past VIGIL_AUDIT_HOT_DAYS are
                                archived, verified and their partitions dropped; then purge
  audit archives                the archived months, their status and location
  audit restore --month YYYY-MM verify a month's archive and bring its events back
  audit purge                   delete archives past retention, oldest first (legal holds stop it)
  audit retention --org SLUG [--days N] [--hold REASON | --release]
                                an organization's audit retention (365 days at least) and hold
  audit export --format jsonl|csv|ocsf [--from ISO] [--to ISO] [--org ID] [--out FILE]
                                export audit events, oldest first (ocsf: JSON Lines of OCSF
                                events, docs/siem.md)
  reviews launch --org SLUG --scope KIND [--client ID] --name NAME --due YYYY-MM-DD
                 [--undecided revoke|keep]
                                launch an access review campaign (KIND: privileged_roles,
                                all_assignments, client_users with --client, api_keys) due at the
                                end of that day (UTC); each item gets a reviewer, never its subject
  reviews list --org SLUG [--status open|closed]
                                the campaigns, newest first, with their metrics
  reviews show CAMPAIGN-ID --org SLUG
                                a campaign's metrics and each reviewer's items assigned and decided
  reviews close CAMPAIGN-ID --org SLUG
                                close a campaign: decisions applied, undecided items revoked or
                                kept by its policy, those who lost access signed out
  reviews reassign ITEM-ID --org SLUG --to EMAIL --reason TEXT
                                give an item of an open campaign another reviewer (not its subject)
  reviews export CAMPAIGN-ID --org SLUG [--out FILE]
                                a closed campaign's evidence: CSV and JSON of every item in one
                                bundle, its manifest signed with the audit seal key
  reviews seal-keys             the audit seal public keys (PEM) and fingerprints, active and
                                retired, for an auditor to verify review evidence against
  reviews verify FILE [--public-key PEM|JWK-FILE]
                                check an access review's evidence bundle offline: every file's
                                SHA-256 and the seal signature; prints the signing key's
                                fingerprint (--public-key: it must be that key)
  evidence export --org SLUG --from DATE --to DATE --out FILE
                                the organization's signed evidence pack (ZIP) for the days
                                from..to (both included, at most 400): every control with its
                                evidence, a manifest of SHA-256s signed with the audit seal
                                key; prints the manifest hash and file count (audited)
  evidence verify FILE [--key FINGERPRINT]
                                check an evidence pack (ZIP) offline: the manifest's seal
                                signature, every file's size and SHA-256, no file missing or
                                added, the audit sample's seal blocks (--key: the audit seal
                                key's fingerprint it must be signed with); exit 1 when not
                                verified, 2 when the file is no readable ZIP
  reviews run                   one round of the access review schedule now (the current
                                quarter's or year's campaigns launched, reminders, overdue
                                campaigns escalated, scheduled ones closed); skipped while
                                another node runs one
  alerts list [--org SLUG] [--status S] [--severity S] [--rule KEY] [--limit N]
                                an organization's alerts (no --org: the platform's), most
                                recent activity first
  alerts show ID [--org SLUG]   an alert, its details and its first audit events
  alerts ack ID [--org SLUG]    acknowledge an alert
  alerts assign ID [--org SLUG] --to USER-ID|none
                                give an alert to an active user holding alerts.read or
                                alerts.manage (none: unassign)
  alerts resolve ID [--org SLUG] --note TEXT
                                resolve an alert with a note saying why
  alerts rules [--org SLUG]     every detection rule with the organization's settings
  alerts run                    one round of the alert rules now, the periodic checks
                                (certificates) included; skipped while another node runs one
  compliance controls --org SLUG
                                every control with its SOC 2 criteria and current result (the
                                platform's controls as the platform's); exit 1 when one fails
  compliance history --org SLUG --control ID [--from DATE] [--to DATE]
                                a control's results over a period (default the last 30 days)
  compliance run [--org SLUG]   run the live checks now: one organization (the platform
                                organization: the platform's controls too), or every active
                                organization and the platform; exit 1 when a check could not run
  webhooks list --org SLUG      the webhook endpoints alerts are posted to (never their secrets)
  webhooks add --org SLUG --name NAME --url URL [--min-severity low|medium|high|critical]
                                add an endpoint (the URL passes the SSRF guard); prints its
                                signing secret once
  webhooks update ID --org SLUG [--name NAME] [--url URL] [--min-severity S] [--enable|--disable]
  webhooks rotate ID --org SLUG a new signing secret, printed once; the old one stops at once
  webhooks delete ID --org SLUG delete an endpoint; what was pending for it goes dead
  webhooks test ID --org SLUG   post a signed test message now (exit 1 when not delivered)
  alerts deliveries --org SLUG [--status pending|delivered|dead] [--limit N]
                                alert notifications, newest first (dead: the dead letters)
  alerts retry ID --org SLUG    send a dead notification again
  siem list [--org SLUG]        the SIEM streams, their lag and failures (no --org: the
                                platform's, which carry every organization's events)
  siem add --kind syslog|webhook --name NAME --url URL [--org SLUG] [--format ocsf|jsonl]
           [--ca-file PEM] [--from now|beginning]
                                stream the audit log to a SIEM: syslog+tls://host:6514 or an
                                https:// webhook, whose signing secret is printed once
  siem update ID [--org SLUG] [--name NAME] [--url URL] [--format F] [--ca-file PEM]
                 [--enable|--disable]
  siem rotate ID [--org SLUG]   a webhook stream's new signing secret, printed once
  siem delete ID [--org SLUG]   delete a stream
  siem run                      one sending round now, every enabled stream (exit 1 when one
                                failed)
  sso certificates --org SLUG   the SAML keys (not retired) and upstream IdP certificates,
                                soonest expiry first, with the days left
  sso connections list|show ID|delete ID --org SLUG
                                an organization's own identity providers (SAML or OIDC), and
                                what to register Vigil as at each
  sso connections add --org SLUG --name NAME --protocol saml|oidc [--provisioning jit|match]
      [--metadata-file FILE | --metadata-url URL | --idp-entity-id ID --idp-sso-url URL
      --certificate-file PEM...] [--idp-slo-url URL] [--issuer URL --client-id ID
      [--client-secret-file FILE] [--scopes "openid email"]] [--email-attribute NAME]
      [--name-attribute NAME] [--mfa-value VALUE]... [--disable]
                                connect one (checked against the IdP: metadata, discovery);
                                \`sso connections update ID\` changes the same options, and
                                --enable or --disable
  sso connections add-certificate ID --org SLUG --certificate-file PEM
  sso connections remove-certificate ID --org SLUG --certificate CERTIFICATE-ID
                                track the IdP's next signing certificate, or stop trusting one
                                (never the last)
  sso connections refresh-metadata ID --org SLUG
                                read the IdP's metadata URL again (endpoints, certificates)
  sso domains list --org SLUG   the email domains an organization claims, verified or not
  sso domains add DOMAIN --org SLUG [--connection CONNECTION-ID]
                                claim a domain; prints the signed file it must serve
  sso domains verify ID --org SLUG --method file|attestation [--statement TEXT]
                                fetch the domain's file over HTTPS, or attest (the operator's word)
  sso domains remove ID --org SLUG
                                remove a claim; its users no longer find the connection
  sso policy show|set --org SLUG [--required yes|no] [--mfa upstream|vigil]
                                SSO required (passwords off, platform admins excepted), and
                                whose MFA counts after an SSO sign-in

Options:
  --json                        machine-readable output
  -h, --help                    this text

  saml apps list|show ID|delete ID --org SLUG
                                an organization's SAML applications (Vigil as their IdP)
  saml apps add --org SLUG --name NAME (--sp-metadata FILE | --entity-id ID --acs URL...)
      [--name-id-format email|persistent|transient|unspecified] [--attribute NAME=SOURCE]...
      [--slo-url URL] [--sp-certificate PEM] [--encrypt-assertion] [--want-signed-requests]
      [--idp-initiated]         register one; \`saml apps update ID\` changes the same options,
                                and --enable or --disable
  saml keys list --org SLUG     the organization's SAML signing and encryption keys
  saml keys rotate --org SLUG --use signing|encryption
                                publish a next key; \`saml keys activate ID\` makes it sign (the
                                old one retires), \`saml keys retire ID\` unpublishes a retiring one
  saml metadata --org SLUG      the organization's IdP metadata (XML)
Exit codes: 0 ok, 1 a check failed or a change was refused (e.g. tampering found, a conflict
of roles), 2 bad usage or configuration.
`;

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      master: { type: 'boolean', default: false },
      'no-wait': { type: 'boolean', default: false },
      'new-master-key-file': { type: 'string' },
      platform: { type: 'string' },
      format: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      org: { type: 'string' },
      out: { type: 'string' },
      signing: { type: 'boolean', default: false },
      alg: { type: 'string' },
      name: { type: 'string' },
      kind: { type: 'string' },
      'redirect-uri': { type: 'string', multiple: true },
      'post-logout-uri': { type: 'string', multiple: true },
      'backchannel-logout-uri': { type: 'string' },
      grant: { type: 'string', multiple: true },
      resource: { type: 'string', multiple: true },
      'api-scope': { type: 'string', multiple: true },
      'first-party': { type: 'boolean', default: false },
      permission: { type: 'string', multiple: true },
      'expires-in-days': { type: 'string' },
      reason: { type: 'string' },
      note: { type: 'string' },
      rule: { type: 'string' },
      severity: { type: 'string' },
      slug: { type: 'string' },
      email: { type: 'string' },
      role: { type: 'string', multiple: true },
      user: { type: 'string' },
      expires: { type: 'string' },
      limit: { type: 'string' },
      after: { type: 'string' },
      at: { type: 'string' },
      days: { type: 'string' },
      id: { type: 'string' },
      group: { type: 'string' },
      roles: { type: 'string' },
      'public-key': { type: 'string' },
      key: { type: 'string' },
      archive: { type: 'string' },
      month: { type: 'string' },
      hold: { type: 'string' },
      release: { type: 'boolean', default: false },
      scope: { type: 'string' },
      client: { type: 'string' },
      due: { type: 'string' },
      undecided: { type: 'string' },
      status: { type: 'string' },
      'ca-file': { type: 'string' },
      url: { type: 'string' },
      'min-severity': { type: 'string' },
      control: { type: 'string' },
      enable: { type: 'boolean', default: false },
      disable: { type: 'boolean', default: false },
      protocol: { type: 'string' },
      provisioning: { type: 'string' },
      'metadata-file': { type: 'string' },
      'metadata-url': { type: 'string' },
      'idp-entity-id': { type: 'string' },
      'idp-sso-url': { type: 'string' },
      'idp-slo-url': { type: 'string' },
      'certificate-file': { type: 'string', multiple: true },
      certificate: { type: 'string' },
      issuer: { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret-file': { type: 'string' },
      scopes: { type: 'string' },
      'email-attribute': { type: 'string' },
      'name-attribute': { type: 'string' },
      'mfa-value': { type: 'string', multiple: true },
      'entity-id': { type: 'string' },
      acs: { type: 'string', multiple: true },
      'slo-url': { type: 'string' },
      'name-id-format': { type: 'string' },
      attribute: { type: 'string', multiple: true },
      'sp-certificate': { type: 'string' },
      'sp-metadata': { type: 'string' },
      'encrypt-assertion': { type: 'boolean', default: false },
      'want-signed-requests': { type: 'boolean', default: false },
      'idp-initiated': { type: 'boolean', default: false },
      use: { type: 'string' },
      connection: { type: 'string' },
      method: { type: 'string' },
      statement: { type: 'string' },
      required: { type: 'string' },
      mfa: { type: 'string' },
    },
  });
}

/** The unsafe development settings in use (each warning is `KEY: what`), as one line. */
function developmentSettingsLine(warnings: string[]): string {
  const keys = [...new Set(warnings.map((warning) => warning.split(':')[0]))];
  return `vigil: development settings in use (${keys.join(', ')}), refused in production; see docs/configuration.md\n`;
}

/** What one run of the CLI reads and writes: the process's own unless given (tests give theirs). */
export interface CliIo {
  env?: NodeJS.ProcessEnv;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  /**
   * An open database for the commands instead of the configured one (tests, which share one
   * across many runs): the commands use it and leave it open.
   */
  database?: Database;
}

/** The database as the commands see it: theirs to use, not to close. */
export const lent = (database: Database): Database => ({ ...database, close: async () => {} });

export async function runCli(argv: string[], io: CliIo = {}): Promise<number> {
  const env = io.env ?? process.env;
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    stderr.write(`${(err as Error).message}\n\n${usage}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) {
    stdout.write(usage);
    return positionals.length === 0 && !values.help ? 2 : 0;
  }
  const three = positionals.slice(0, 3).join(' ');
  const two = positionals.slice(0, 2).join(' ');
  const name = commands[three] ? three : commands[two] ? two : (positionals[0] ?? '');
  const command = commands[name];
  if (!command) {
    stderr.write(`Unknown command: ${positionals.join(' ')}\n\n${usage}`);
    return 2;
  }
  let config: Config;
  let logger: Logger;
  try {
    const loaded = loadConfig(env);
    config = loaded.config;
    logger = createLogger(name === 'start' ? config.VIGIL_LOG_LEVEL : 'warn', stderr);
    // Unsafe development settings are refused in production: the server logs each of them,
    // every other command says so in one line.
    if (name === 'start')
      for (const warning of loaded.warnings) logger.warn(`UNSAFE SETTING ${warning}`);
    else if (loaded.warnings.length > 0) stderr.write(developmentSettingsLine(loaded.warnings));
  } catch (err) {
    stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  const ctx: CommandContext = {
    config,
    logger,
    options: values,
    args: positionals.slice(name.split(' ').length),
    json: values.json === true,
    stdout,
    stderr,
    database: io.database && lent(io.database),
  };
  try {
    return await command(ctx);
  } catch (err) {
    if (err instanceof UsageError) {
      stderr.write(`${err.message}\n\n${usage}`);
      return 2;
    }
    if (isAppError(err) && err.expose) {
      stderr.write(`${err.message}\n`);
      return err.code === 'config.invalid' ? 2 : 1;
    }
    logger.error({ err }, 'command failed');
    return 1;
  }
}

if (import.meta.main) {
  const code = await runCli(process.argv.slice(2));
  // `start` keeps running; every other command ends here.
  if (code !== -1) process.exit(code);
}
