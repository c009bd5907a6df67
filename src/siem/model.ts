import { z } from 'zod';
import type { FeedPosition } from '../audit/index.ts';
import type { SiemStreamsTable } from '../platform/index.ts';

/** The port of syslog over TLS (RFC 5425 §4.1) when the URL names none. */
export const syslogTlsPort = 6514;

const caPem = z
  .string()
  .max(65_536)
  .regex(/-----BEGIN CERTIFICATE-----/, 'must be PEM certificates (-----BEGIN CERTIFICATE-----)');

export const streamInputSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    kind: z.enum(['syslog', 'webhook']),
    /** OCSF events, or Vigil's own audit events as JSON (docs/siem.md#formats). */
    format: z.enum(['ocsf', 'jsonl']).default('ocsf'),
    /** `syslog+tls://host:6514` for syslog, `https://…` for a webhook. */
    url: z.string().trim().min(1).max(2000),
    /** PEM of CA certificates to trust besides the system's (a private CA, a test receiver). */
    caPem: caPem.optional(),
    /** Start with the events from now on, or send the whole log first. */
    from: z.enum(['now', 'beginning']).default('now'),
  })
  .strict();

export type StreamInput = z.input<typeof streamInputSchema>;

export const streamUpdateSchema = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    format: z.enum(['ocsf', 'jsonl']).optional(),
    url: z.string().trim().min(1).max(2000).optional(),
    enabled: z.boolean().optional(),
    /** null removes it. */
    caPem: caPem.nullable().optional(),
  })
  .strict();

export type StreamUpdate = z.input<typeof streamUpdateSchema>;

export type StreamKind = SiemStreamsTable['kind'];
export type StreamFormat = SiemStreamsTable['format'];

export interface SiemStream {
  id: string;
  orgId: string;
  name: string;
  kind: StreamKind;
  format: StreamFormat;
  url: string;
  caPem: string | null;
  enabled: boolean;
  /** Events written to the audit log that the receiver has not yet confirmed (capped). */
  lag: number;
  failures: number;
  lastError: string | null;
  lastDeliveredAt: Date | null;
  nextAttemptAt: Date | null;
  createdAt: Date;
}

/** Where a syslog URL points: `syslog+tls://host[:port]` and nothing else. */
export function syslogAddress(url: string): { host: string; port: number } | string {
  const parsed = URL.parse(url);
  if (parsed?.protocol !== 'syslog+tls:') return 'must be syslog+tls://host:port';
  if (parsed.username || parsed.password || parsed.search || parsed.hash)
    return 'takes no credentials, query or fragment';
  if (parsed.pathname !== '' && parsed.pathname !== '/') return 'takes no path';
  if (!parsed.hostname) return 'names no host';
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: parsed.port ? Number(parsed.port) : syslogTlsPort,
  };
}

/**
 * After a failed attempt, wait before the next one: 1 s doubling per failure up to 5 minutes,
 * so a dead receiver costs one connection attempt every 5 minutes.
 */
export function backoffMs(failures: number): number {
  return Math.min(300_000, 1000 * 2 ** Math.min(Math.max(failures - 1, 0), 20));
}

/** A stream's place in the feed as its row stores it. */
export const positionOf = (row: { position_tx: string; position_seq: string }): FeedPosition => ({
  tx: row.position_tx,
  seq: row.position_seq,
});

export const sentOf = (row: { sent_tx: string; sent_seq: string }): FeedPosition => ({
  tx: row.sent_tx,
  seq: row.sent_seq,
});

/** Errors stored and shown are bounded (a receiver's answer may be long). */
export const errorText = (err: unknown): string =>
  (err instanceof Error ? err.message : String(err)).slice(0, 500);
