import nodemailer from 'nodemailer';
import type { Logger } from './logger.ts';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

/** The one way Vigil sends mail. */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

/**
 * SMTP when configured (TLS: `smtps://`, or STARTTLS required on `smtp://`); otherwise, in
 * development and tests, the message goes to the log so a developer can follow a reset link.
 */
export function createMailer(options: { smtpUrl?: string; from: string; logger: Logger }): Mailer {
  if (!options.smtpUrl) {
    return {
      async send(message) {
        options.logger.warn({ mail: message }, 'mail (no VIGIL_SMTP_URL: written to the log)');
      },
    };
  }
  const secure = options.smtpUrl.startsWith('smtps://');
  const transport = nodemailer.createTransport({
    url: options.smtpUrl,
    secure,
    requireTLS: !secure,
    tls: { minVersion: 'TLSv1.2' },
  } as Parameters<typeof nodemailer.createTransport>[0]);
  return {
    async send(message) {
      await transport.sendMail({ from: options.from, ...message });
    },
  };
}
