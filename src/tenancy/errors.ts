import { defineErrors } from '../platform/index.ts';

export const tenancyErrors = defineErrors({
  orgInvalid: {
    code: 'org.invalid',
    kind: 'invalid',
    message: '{field}: {problem}',
    meaning: "An organization's slug or name failed validation.",
  },
  slugTaken: {
    code: 'org.slug_taken',
    kind: 'conflict',
    message: 'The slug {slug} is taken',
    meaning: 'Another organization has this slug.',
  },
  orgNotFound: {
    code: 'org.not_found',
    kind: 'not_found',
    message: 'No such organization',
    meaning: 'No organization with this id (or none the caller may see).',
  },
  platformOrgFixed: {
    code: 'org.platform_fixed',
    kind: 'invalid',
    message: 'The platform organization cannot be suspended',
    meaning:
      'Suspending the platform organization would lock out everyone who runs the installation.',
  },
  statusUnchanged: {
    code: 'org.status_unchanged',
    kind: 'conflict',
    message: 'The organization is already {status}',
    meaning: 'A suspension of a suspended organization, or a reactivation of an active one.',
  },
});
