import type { z } from 'zod';
import type { FeedEvent } from '../audit/index.ts';
import type { AlertSeverity, AuditAction, Clock, Tx } from '../platform/index.ts';

/**
 * What a detection rule found: the engine turns it into an alert, or adds it to the unresolved
 * alert with the same dedup key (one alert for a burst, not one per event).
 */
export interface Finding {
  orgId: string;
  /** What the alert is about, within the rule: `user:<id>`, `ip:<address>`, `actor:<id>`. */
  dedupKey: string;
  title: string;
  /** What a person triaging it needs: the user, the address, the counts, the places. */
  details: Record<string, unknown>;
  subjectUserId?: string;
  /** The audit events that made it. */
  eventIds: string[];
  /** When it happened (the newest event's time). */
  at: Date;
  /**
   * A check's own severity for this finding (a later stage of the same condition, as the SSO
   * certificate rule's last days), instead of the rule's setting; event rules leave it out.
   */
  severity?: AlertSeverity;
}

/** Per organization: whether a rule runs, how severe its alerts are, and its thresholds. */
export interface RuleSettings<T extends Record<string, number> = Record<string, number>> {
  enabled: boolean;
  severity: AlertSeverity;
  thresholds: T;
}

/**
 * Counts in sliding windows, kept in memory by the engine for the windowed rules. After a node
 * takes over the rules (or starts), the engine rebuilds them by replaying the recent events.
 */
export interface SlidingWindows {
  /**
   * Adds `eventId` at `at` under `key` and returns the events under `key` within the last
   * `windowMs` (this one included), oldest first: at most the newest `limit` of them, so that a
   * rule which only needs to know that a count was reached keeps that many per key, however
   * hot the key (one address sending thousands of failures a second). `full` says the window
   * already held `limit` events before this one.
   */
  add(
    key: string,
    at: Date,
    windowMs: number,
    eventId: string,
    limit?: number,
  ): { ids: string[]; full: boolean };
}

/** Where a public address is: country, network and coordinates (offline database). */
export interface IpPlace {
  country: string;
  /** The network operator: `AS13335`, or the address's /24 (IPv4) or /48 (IPv6) without one. */
  network: string;
  latitude: number | null;
  longitude: number | null;
  city: string | null;
}

export interface GeoLocator {
  /** Null for private, loopback and unknown addresses. */
  locate(ip: string): IpPlace | null;
}

export interface RuleContext {
  /** A platform transaction: the round's, which also saves the feed cursor. */
  tx: Tx;
  clock: Clock;
  windows: SlidingWindows;
  geo: GeoLocator;
  /**
   * Replaying events already handled, to rebuild the windows: the rule updates its windows and
   * writes nothing; whatever it returns is dropped.
   */
  replay: boolean;
  /**
   * What the rules may ask of the directory (the engine always gives it; optional only so that
   * a rule's unit test may leave it out when its rule does not ask).
   */
  directory?: RuleDirectory;
}

/** Read-only questions about an organization's roles and users. */
export interface RuleDirectory {
  /** Whether the organization's role `roleKey` is privileged (false for a role that is gone). */
  isPrivilegedRole(tx: Tx, orgId: string, roleKey: string): Promise<boolean>;
}

/** One detection rule over the audit feed (docs/alerts.md#rules). */
export interface EventRule<T extends Record<string, number> = Record<string, number>> {
  key: string;
  name: string;
  /** What it detects and why it matters, for the console and the docs. */
  description: string;
  defaultSeverity: AlertSeverity;
  /** Each threshold's default; `thresholdSchema` bounds them (per organization settings). */
  defaultThresholds: T;
  thresholdSchema: z.ZodType<T>;
  /** The audit actions it reads: the engine hands it only those events. */
  actions: readonly AuditAction[];
  /** True when it keeps sliding windows (the engine replays recent events into them). */
  windowed: boolean;
  /**
   * Looks at a batch of events (in chain order, of any organizations), each with its
   * organization's settings for this rule (only enabled ones are given).
   */
  evaluate(
    ctx: RuleContext,
    events: readonly { event: FeedEvent; settings: RuleSettings<T> }[],
  ): Promise<Finding[]>;
}

/** A certificate the application gives the checks: the server's TLS certificate, and others. */
export interface NamedCertificate {
  /** What it is, for the alert: `tls` (the server's), `saml:<connection>`… */
  name: string;
  pem: string | Buffer;
}

/**
 * A certificate an organization's single sign-on relies on (its SAML keys, its upstream IdPs'
 * signing certificates), as the application hands it to the checks (docs/sso.md#certificates-and-their-expiry).
 */
export interface OrganizationCertificate {
  orgId: string;
  /** Names it among the organization's: `saml_key:<id>`, `connection:<id>` (the dedup key). */
  key: string;
  /** What it is, for the alert's title: `SAML signing key (active)`, `connection "Okta"`. */
  name: string;
  /** SHA-256 of the DER, `AA:BB:…`. */
  fingerprint: string;
  subject: string;
  notAfter: Date;
  /** What else the alert names (a key's use and state, a connection's id). */
  details: Record<string, unknown>;
}

export interface CheckContext<T extends Record<string, number> = Record<string, number>> {
  tx: Tx;
  clock: Clock;
  /** The certificates to watch, read afresh for each check (a renewed file is seen at once). */
  certificates(): Promise<NamedCertificate[]>;
  /** Every organization's SSO certificates, read in `tx` (none when the application gives none). */
  organizationCertificates(): Promise<OrganizationCertificate[]>;
  /** This rule's settings in an organization: its alert policy's, the rule's defaults otherwise. */
  settingsIn(orgId: string): Promise<RuleSettings<T>>;
}

/**
 * A periodic check rather than a reader of events (certificate expiry): the engine runs it from
 * time to time, with the platform organization's settings. Its findings carry no event ids.
 */
export interface CheckRule<T extends Record<string, number> = Record<string, number>> {
  kind: 'check';
  /**
   * `platform` (the default): runs when the platform organization's settings enable it, and its
   * findings are rated by them. `organizations`: runs always and looks at every organization;
   * it skips those whose own settings (`ctx.settingsIn`) disable it and rates each finding
   * itself by them, so each organization tunes its own thresholds.
   */
  scope?: 'platform' | 'organizations';
  key: string;
  name: string;
  description: string;
  defaultSeverity: AlertSeverity;
  defaultThresholds: T;
  thresholdSchema: z.ZodType<T>;
  check(ctx: CheckContext<T>, settings: RuleSettings<T>): Promise<Finding[]>;
}

/** Any rule of the catalog (an event rule has no `kind`, or `kind: 'event'`). */
export type AnyRule = (EventRule & { kind?: 'event' }) | CheckRule;
