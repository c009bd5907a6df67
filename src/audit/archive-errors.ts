import { defineErrors } from '../platform/index.ts';

export const archiveErrors = defineErrors({
  badMonth: {
    code: 'audit.archive.bad_month',
    kind: 'invalid',
    message: 'The month must be YYYY-MM: {month}',
    meaning: 'An archive command named a month that is not a calendar month as YYYY-MM.',
  },
  notArchived: {
    code: 'audit.archive.not_archived',
    kind: 'not_found',
    message: 'No archive of {month} to restore',
    meaning: 'A restore named a month that was never archived, or whose archive was purged.',
  },
  notDropped: {
    code: 'audit.archive.not_dropped',
    kind: 'conflict',
    message: 'The events of {month} are in the database already ({status})',
    meaning: 'A restore named a month whose events were never dropped or are restored already.',
  },
  archiveInvalid: {
    code: 'audit.archive.invalid',
    kind: 'conflict',
    message: 'The archive of {month} does not verify: {problem}',
    meaning:
      'An archive failed its checks (signature, file hash, an event line, a seal block): nothing is restored or dropped from it.',
  },
  notSealed: {
    code: 'audit.archive.not_sealed',
    kind: 'conflict',
    message: 'Events of {month} are not sealed yet; the month is archived at a later round',
    meaning: 'A month past the hot period still holds events no seal block covers.',
  },
  platformOnly: {
    code: 'audit.archive.platform_only',
    kind: 'not_found',
    message: 'Audit archives belong to the platform organization',
    meaning:
      "Audit archives hold every organization's events: they are listed in the platform organization only.",
  },
  macMissing: {
    code: 'audit.archive.mac_missing',
    kind: 'internal',
    message: 'Seal block {block} lists event {eventId}, found neither in the log nor in an archive',
    meaning:
      "A month cannot be archived: one of its seal blocks lists an event of another month that is neither in the database nor in that month's archive.",
  },
});
