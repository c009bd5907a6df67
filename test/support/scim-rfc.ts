import assert from 'node:assert/strict';
import SCIMMY from 'scimmy';

/**
 * Checks of Vigil's SCIM answers by SCIMMY, an independent SCIM 2.0 implementation (npm `scimmy`)
 * whose schema definitions follow RFC 7643 §4 and §8.7. Each check throws when an answer does not
 * conform: SCIMMY itself throws on a wrong type, a missing required attribute or a bad list or
 * error message, and the round trip below throws when SCIMMY's reading of the answer differs from
 * it (an attribute the schema does not declare, a missing `schemas`, a wrong `meta.location`).
 */

export const vigilUserUrn = 'urn:ietf:params:scim:schemas:extension:vigil:2.0:User';

/** Vigil's own extension, declared from docs/scim.md#users-mapping (no RFC defines it). */
const vigilUserExtension = new SCIMMY.Types.SchemaDefinition(
  'VigilUser',
  vigilUserUrn,
  "Vigil's extension: the scheduled end of employment",
  [new SCIMMY.Types.Attribute('dateTime', 'endDate')],
);

// SCIMMY's typings take an extension as a Schema instance; at run time it takes these too.
SCIMMY.Schemas.User.extend(SCIMMY.Schemas.EnterpriseUser as never);
SCIMMY.Schemas.User.extend(vigilUserExtension as never);

type Definition = InstanceType<typeof SCIMMY.Types.SchemaDefinition>;
type Json = Record<string, unknown>;

/** SCIMMY's definitions of the RFC's resources (User with both extensions). */
export const rfc = {
  user: SCIMMY.Schemas.User.definition,
  group: SCIMMY.Schemas.Group.definition,
  enterpriseUser: SCIMMY.Schemas.EnterpriseUser.definition,
  resourceType: SCIMMY.Schemas.ResourceType.definition,
  serviceProviderConfig: SCIMMY.Schemas.ServiceProviderConfig.definition,
};

const roundTrip = (value: unknown): Json => JSON.parse(JSON.stringify(value));

/**
 * A resource as SCIMMY reads it equals the resource: `definition.coerce` throws on a type or a
 * required attribute, drops what the schema does not declare, adds a missing `schemas` and sets
 * `meta.resourceType` and `meta.location` from the definition and `endpoint`.
 */
export function assertConforming(definition: Definition, resource: Json, endpoint: string): void {
  const read = roundTrip(definition.coerce(resource, 'out', endpoint));
  assert.deepEqual(read, resource, `${definition.name} as SCIMMY reads it`);
}

/**
 * A ListResponse (RFC 7644 §3.4.2): SCIMMY's message class throws on another schema or counts
 * that are not integers, and slices `Resources` when they disagree with the counts; then every
 * resource conforms to `definition`.
 */
export function assertConformingList(definition: Definition, list: Json, endpoint: string): Json[] {
  const read = roundTrip(new SCIMMY.Messages.ListResponse(list as never));
  assert.deepEqual(read, list, 'the ListResponse as SCIMMY reads it');
  const resources = list.Resources as Json[];
  for (const resource of resources) assertConforming(definition, resource, endpoint);
  return resources;
}

/**
 * A SCIM error (RFC 7644 §3.12): SCIMMY's ErrorResponse throws on a status the RFC does not list
 * or a scimType that status cannot carry (`uniqueness` only with 409, `invalidFilter` with 400…).
 */
export function assertConformingError(
  error: Json,
  status: number,
  scimType: string | undefined,
): void {
  assert.deepEqual(error.schemas, ['urn:ietf:params:scim:api:messages:2.0:Error']);
  const { schemas: _, ...fields } = error;
  const read = roundTrip(new SCIMMY.Messages.ErrorResponse(fields as never));
  assert.deepEqual(read, error, 'the error as SCIMMY reads it');
  assert.equal(error.status, String(status));
  assert.equal(error.scimType, scimType);
}

/** A schema attribute as /Schemas publishes it (RFC 7643 §7). */
export interface AttributeDocument {
  name: string;
  type: string;
  multiValued: boolean;
  required: boolean;
  caseExact?: boolean;
  mutability: string;
  returned: string;
  uniqueness?: string;
  referenceTypes?: string[];
  canonicalValues?: string[];
  description?: string;
  subAttributes?: AttributeDocument[];
}

/**
 * The attribute a /Schemas document describes, built by SCIMMY: its constructor throws on an
 * unknown type, mutability, returned or uniqueness, a name that is not ATTRNAME, or
 * sub-attributes on a simple type.
 */
export function attributeOf(document: AttributeDocument) {
  const attribute: InstanceType<typeof SCIMMY.Types.Attribute> = new SCIMMY.Types.Attribute(
    document.type as 'string',
    document.name,
    {
      multiValued: document.multiValued,
      required: document.required,
      caseExact: document.caseExact,
      mutable: document.mutability,
      returned: document.returned,
      uniqueness: document.uniqueness,
      referenceTypes: document.referenceTypes,
      canonicalValues: document.canonicalValues,
      description: document.description ?? '',
    } as never,
    (document.subAttributes ?? []).map(attributeOf),
  );
  // Each sub-attribute was read by its own call. SCIMMY, like RFC 7643 §8.7.1, gives a boolean
  // no uniqueness: Vigil's "none" says the same.
  const { subAttributes: _, uniqueness, ...characteristics } = document;
  const { subAttributes: __, ...read } = roundTrip(attribute);
  const expected =
    document.type === 'boolean' && uniqueness === 'none'
      ? characteristics
      : { ...characteristics, uniqueness };
  assert.deepEqual(read, expected, `attribute ${document.name} as SCIMMY reads it`);
  return attribute;
}

/** A schema definition built by SCIMMY from a /Schemas document of Vigil. */
export function definitionOf(document: Json): Definition {
  return new SCIMMY.Types.SchemaDefinition(
    String(document.name),
    String(document.id),
    String(document.description ?? ''),
    (document.attributes as AttributeDocument[]).map(attributeOf),
  );
}

/** The characteristics RFC 7643 §8.7.1 fixes for each attribute, as SCIMMY describes them. */
export function rfcAttributes(definition: Definition): AttributeDocument[] {
  return roundTrip(definition.describe()).attributes as AttributeDocument[];
}

/**
 * Every characteristic of Vigil's published attributes (`ours`) that differs from the RFC's
 * attribute of the same name (`theirs`, from `rfcAttributes`), one line each.
 */
export function differences(
  path: string,
  ours: AttributeDocument[],
  theirs: AttributeDocument[],
): string[] {
  const found: string[] = [];
  const show = (value: unknown) => JSON.stringify(value);
  for (const attribute of ours) {
    const at = `${path}.${attribute.name}`;
    const standard = theirs.find((a) => a.name === attribute.name);
    if (!standard) {
      found.push(`${at} is not an attribute of the RFC's schema`);
      continue;
    }
    for (const key of ['type', 'multiValued', 'required', 'caseExact', 'mutability'] as const) {
      if (attribute[key] !== standard[key])
        found.push(`${at} ${key}: ${show(attribute[key])} (RFC: ${show(standard[key])})`);
    }
    if (show(attribute.referenceTypes) !== show(standard.referenceTypes))
      found.push(
        `${at} referenceTypes: ${show(attribute.referenceTypes)} (RFC: ${show(standard.referenceTypes)})`,
      );
    found.push(...differences(at, attribute.subAttributes ?? [], standard.subAttributes ?? []));
  }
  return found;
}
