import { type AppError, statusOfKind } from '../../platform/index.ts';
import { scimSchemas } from './schemas.ts';

/** The `scimType` (RFC 7644 §3.12) of the codes that have one. */
const scimTypeOf: Record<string, string> = {
  'scim.invalid_filter': 'invalidFilter',
  'scim.invalid_syntax': 'invalidSyntax',
  'scim.invalid_value': 'invalidValue',
  'scim.invalid_path': 'invalidPath',
  'scim.no_target': 'noTarget',
  'scim.mutability': 'mutability',
  'scim.uniqueness': 'uniqueness',
  'scim.too_many': 'tooMany',
  'scim.bulk_too_large': 'tooMany',
  'user.email_taken': 'uniqueness',
  'user.user_name_taken': 'uniqueness',
  'user.invalid': 'invalidValue',
};

/**
 * Statuses that are not their error kind's: a deprovisioned user is invisible to SCIM, so
 * changing one answers 404 like an unknown id; too large a bulk request is 413.
 */
const statusOverride: Record<string, number> = {
  'user.deprovisioned': 404,
  // RFC 7644 §3.7.4: more bulk operations than maxOperations is 413.
  'scim.bulk_too_large': 413,
};

/** A SCIM error document (RFC 7644 §3.12): `status` is a string there. */
export interface ScimErrorBody {
  schemas: [typeof scimSchemas.error];
  status: string;
  scimType?: string;
  detail?: string;
}

/**
 * The status and SCIM error document of an error. 5xx answers never carry details
 * (docs/architecture.md#errors); the detail of a 4xx is the error's message.
 */
export function scimErrorOf(err: AppError): { status: number; body: ScimErrorBody } {
  const status = statusOverride[err.code] ?? statusOfKind[err.kind];
  const exposed = err.expose && status < 500;
  const scimType = exposed ? scimTypeOf[err.code] : undefined;
  return {
    status,
    body: {
      schemas: [scimSchemas.error],
      status: String(status),
      ...(scimType ? { scimType } : {}),
      ...(exposed ? { detail: err.message } : {}),
    },
  };
}
