import fc from 'fast-check';

/** A JSON Schema (2020-12, as zod writes it into the OpenAPI document). */
export type JsonSchema = { [keyword: string]: unknown };

/**
 * Strings an attacker tries: control characters (NUL first), lone surrogates, escapes meant for
 * other layers, injection classics and sizes past every limit.
 */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '\u0000',
    'a\u0000b',
    'dana@acme.test\u0000',
    '\u001b[31m',
    '\u007f',
    '\u0085',
    '\ud800',
    'x\udfff',
    '%00',
    '%ZZ',
    '../../etc/passwd',
    "' OR '1'='1' --",
    '<script>alert(1)</script>',
    '{{7*7}}',
    '__proto__',
    '',
    ' ',
    'x'.repeat(101),
    'x'.repeat(5000),
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
);

const anyJson = fc.jsonValue({ maxDepth: 2 });
/** A value of the wrong JSON type for most schemas. */
const wrongType = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  hostileString,
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string(), { maxKeys: 3 }),
);

const emailAddress = fc
  .tuple(fc.stringMatching(/^[a-z][a-z0-9.]{0,11}$/), fc.constantFrom('acme.test', 'globex.test'))
  .map(([local, domain]) => `${local.replace(/\.+$/, '')}x@${domain}`);

const isoDateTime = fc
  .date({
    min: new Date('2020-01-01T00:00:00Z'),
    max: new Date('2035-01-01T00:00:00Z'),
    noInvalidDate: true,
  })
  .map((d) => d.toISOString());

function stringOf(schema: JsonSchema): fc.Arbitrary<string> {
  const minLength = Number(schema.minLength ?? 0);
  const maxLength = Math.min(Number(schema.maxLength ?? 40), Math.max(minLength, 40));
  const fits = (s: string) => s.length >= minLength && s.length <= maxLength;
  if (schema.format === 'uuid') return fc.uuid();
  if (schema.format === 'email') return emailAddress.filter(fits);
  if (schema.format === 'date-time') return isoDateTime;
  if (typeof schema.pattern === 'string')
    return fc.stringMatching(new RegExp(schema.pattern)).filter(fits);
  return fc.oneof(
    fc.string({ minLength, maxLength }),
    fc.string({ unit: 'grapheme', minLength, maxLength }),
  );
}

function numberOf(schema: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const min = Math.max(Number(schema.minimum ?? -1e6), -1e6);
  const max = Math.min(Number(schema.maximum ?? 1e6), 1e6);
  return integer
    ? fc.integer({ min, max })
    : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
}

/** Resolves `#/components/schemas/…` against the document. */
export function resolve(schema: JsonSchema, document: JsonSchema): JsonSchema {
  const ref = schema.$ref;
  if (typeof ref !== 'string') return schema;
  let target: unknown = document;
  for (const part of ref.replace(/^#\//, '').split('/')) {
    target = (target as JsonSchema)[part];
  }
  return target as JsonSchema;
}

/** Values the schema accepts (as far as JSON Schema can say: zod may still refuse some). */
export function validValue(schema: JsonSchema, document: JsonSchema): fc.Arbitrary<unknown> {
  const s = resolve(schema, document);
  if ('const' in s) return fc.constant(s.const);
  if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as unknown[]));
  const choices = (s.anyOf ?? s.oneOf) as JsonSchema[] | undefined;
  if (choices) return fc.oneof(...choices.map((c) => validValue(c, document)));
  switch (s.type) {
    case 'string':
      return stringOf(s);
    case 'integer':
    case 'number':
      return numberOf(s, s.type === 'integer');
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(validValue((s.items ?? {}) as JsonSchema, document), {
        minLength: Number(s.minItems ?? 0),
        maxLength: Math.min(Number(s.maxItems ?? 4), Math.max(Number(s.minItems ?? 0), 4)),
      });
    case 'object': {
      const properties = (s.properties ?? {}) as Record<string, JsonSchema>;
      const record = Object.fromEntries(
        Object.entries(properties).map(([name, p]) => [name, validValue(p, document)]),
      );
      return fc.record(record, { requiredKeys: (s.required ?? []) as string[] });
    }
    default:
      return anyJson;
  }
}

/**
 * Values the schema refuses, or that test its edges: the wrong type, a hostile string where text
 * goes, an object without a required property, with an unknown one, or with one bad property.
 */
export function invalidValue(schema: JsonSchema, document: JsonSchema): fc.Arbitrary<unknown> {
  const s = resolve(schema, document);
  const properties = Object.entries((s.properties ?? {}) as Record<string, JsonSchema>);
  if (s.type !== 'object' || properties.length === 0) return fc.oneof(wrongType, hostileString);
  const valid = validValue(s, document) as fc.Arbitrary<Record<string, unknown>>;
  const required = (s.required ?? []) as string[];
  const withBadProperty = fc
    .tuple(
      valid,
      fc
        .constantFrom(...properties)
        .chain(([name, p]) => invalidValue(p, document).map((v) => [name, v] as const)),
    )
    .map(([value, [name, bad]]) => ({ ...value, [name]: bad }));
  return fc.oneof(
    { arbitrary: withBadProperty, weight: 4 },
    wrongType,
    valid.map((value) => ({ ...value, 'unknown\u0000key': 1 })),
    fc.tuple(valid, hostileString).map(([value, key]) => ({ ...value, [key]: 'extra' })),
    ...(required.length > 0
      ? [
          fc
            .tuple(valid, fc.constantFrom(...required))
            .map(([value, name]) =>
              Object.fromEntries(Object.entries(value).filter(([k]) => k !== name)),
            ),
        ]
      : []),
  );
}
