import { defineErrors } from '../platform/index.ts';

export const siemErrors = defineErrors({
  streamInvalid: {
    code: 'siem.invalid',
    kind: 'invalid',
    message: '{field}: {problem}',
    meaning:
      "A SIEM stream's name, kind, format, URL (syslog+tls://host:port for syslog, https:// for a webhook), CA certificate or starting point failed validation.",
  },
  streamNotFound: {
    code: 'siem.stream_not_found',
    kind: 'not_found',
    message: 'No such SIEM stream',
    meaning: 'No SIEM stream with this id in the organization.',
  },
  notWebhook: {
    code: 'siem.not_webhook',
    kind: 'conflict',
    message: 'Only a webhook stream has a signing secret',
    meaning: 'A secret rotation was asked of a syslog stream, which authenticates by TLS alone.',
  },
});
