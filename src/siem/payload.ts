import { type AuditEvent, type FeedEvent, ocsfSeverityOf, toOcsf } from '../audit/index.ts';
import type { StreamFormat } from './model.ts';

/** An event as a stream sends it, and whether the receiver may have it already. */
export interface Outgoing {
  event: AuditEvent;
  possibleDuplicate: boolean;
}

/** The event without its place in the feed, which is the reader's business, not the SIEM's. */
function plain(event: FeedEvent | AuditEvent): AuditEvent {
  const { position: _position, ...rest } = event as FeedEvent;
  return rest;
}

export const outgoing = (event: FeedEvent, possibleDuplicate: boolean): Outgoing => ({
  event: plain(event),
  possibleDuplicate,
});

/**
 * The JSON a stream sends for one event (docs/siem.md#formats): an OCSF event, whose duplicate
 * mark is `unmapped.possible_duplicate`, or Vigil's own event, whose mark is `possibleDuplicate`.
 */
export function eventJson(out: Outgoing, format: StreamFormat): string {
  if (format === 'ocsf')
    return JSON.stringify(toOcsf(out.event, { possibleDuplicate: out.possibleDuplicate }));
  return JSON.stringify(
    out.possibleDuplicate ? { ...out.event, possibleDuplicate: true } : out.event,
  );
}

/** RFC 5424 §6.2.1 facility 13, "log audit". */
const logAudit = 13;
/** OCSF severity id → syslog severity (6 informational … 2 critical). */
const syslogSeverity: Record<number, number> = { 1: 6, 2: 5, 3: 4, 4: 3, 5: 2 };

/** SD-PARAM values escape `"`, `\` and `]` (RFC 5424 §6.3.3). */
const sdValue = (value: string) => value.replace(/["\\\]]/g, (c) => `\\${c}`);

/** Printable US-ASCII without spaces, at most `max` characters, or the nil value. */
const header = (value: string, max: number) =>
  value.replace(/[^\x21-\x7e]/g, '').slice(0, max) || '-';

/**
 * Vigil's SD-ID. 32473 is the private enterprise number RFC 5612 reserves for documentation:
 * Vigil has none of its own, and an `@` name needs one (RFC 5424 §6.3.2).
 */
export const structuredDataId = 'vigil@32473';

/**
 * One RFC 5424 message: `<PRI>1 TIMESTAMP HOSTNAME vigil - ACTION [vigil@32473 …] BOM JSON`.
 * The structured data names the event, its organization and outcome, and
 * `possibleDuplicate="true"` when the stream sends it again after a failure.
 */
export function syslogMessage(out: Outgoing, format: StreamFormat, hostname: string): string {
  const e = out.event;
  const pri = logAudit * 8 + (syslogSeverity[ocsfSeverityOf(e)] ?? 6);
  const params = [
    `eventId="${sdValue(e.id)}"`,
    `orgId="${sdValue(e.orgId)}"`,
    `outcome="${sdValue(e.outcome)}"`,
    ...(out.possibleDuplicate ? ['possibleDuplicate="true"'] : []),
  ];
  return [
    `<${pri}>1`,
    e.occurredAt.toISOString(),
    header(hostname, 255),
    'vigil',
    '-',
    header(e.action, 32),
    `[${structuredDataId} ${params.join(' ')}]`,
    `\ufeff${eventJson(out, format)}`,
  ].join(' ');
}

/** RFC 5425 §4.3 octet counting: `MSG-LEN SP SYSLOG-MSG`, the length in bytes. */
export function octetCounted(message: string): Buffer {
  const body = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length} `, 'ascii'), body]);
}
