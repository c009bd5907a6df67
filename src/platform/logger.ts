import { type Logger, pino } from 'pino';

export type { Logger };

/** Paths pino blanks in every log line, so that a secret passed by mistake never lands in a log. */
export const redactedPaths = [
  'password',
  '*.password',
  'secret',
  '*.secret',
  'token',
  '*.token',
  'masterKey',
  '*.masterKey',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
];

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    { level, redact: { paths: redactedPaths, censor: '[redacted]' }, base: { service: 'vigil' } },
    destination as never,
  );
}
