import type { IncomingHttpHeaders } from 'node:http';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { type JsonSchema, resolve } from './schema-arbitrary.ts';

/** What the fuzzer got back. */
export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/** The headers every answer carries (src/http/security-headers.ts), and the request id. */
export const requiredHeaders = [
  'strict-transport-security',
  'content-security-policy',
  'x-content-type-options',
  'x-frame-options',
  'referrer-policy',
  'x-request-id',
] as const;

/** What is wrong with any answer: a server error, or a missing security header. */
export function basicProblems(answer: Answer): string[] {
  const problems: string[] = [];
  if (answer.status >= 500) problems.push(`status ${answer.status}`);
  for (const name of requiredHeaders) {
    if (!answer.headers[name]) problems.push(`no ${name} header`);
  }
  if (
    answer.headers['x-content-type-options'] &&
    answer.headers['x-content-type-options'] !== 'nosniff'
  )
    problems.push('x-content-type-options is not nosniff');
  return problems;
}

// ajv-formats is CommonJS: Node hands over its module.exports, the plugin function itself.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

/** An operation of the OpenAPI document, as the checker reads it. */
export interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: JsonSchema }> }>;
}

/**
 * Checks answers against the OpenAPI document: the status is documented for the operation, the
 * content type is one it lists, and a JSON body validates against its schema.
 */
export function createResponseChecker(document: JsonSchema) {
  const ajv = addFormats(new Ajv2020({ strict: false, allErrors: false }));
  const compiled = new Map<JsonSchema, ValidateFunction>();
  const validatorOf = (schema: JsonSchema) => {
    const resolved = resolve(schema, document);
    let validate = compiled.get(resolved);
    if (!validate) {
      validate = ajv.compile(resolved);
      compiled.set(resolved, validate);
    }
    return validate;
  };

  return function documentProblems(operation: Operation, answer: Answer): string[] {
    const status = String(answer.status);
    const documented =
      operation.responses[status] ??
      operation.responses[`${status[0]}XX`] ??
      operation.responses.default;
    if (!documented) return [`status ${status} is not documented`];
    const type =
      String(answer.headers['content-type'] ?? '')
        .split(';')[0]
        ?.trim() ?? '';
    const media = documented.content?.[type];
    if (!media) {
      if (!type && answer.text === '' && !documented.content) return [];
      return [`content type "${type}" is not documented for ${status}`];
    }
    const json = type === 'application/json' || type.endsWith('+json');
    if (!json || !media.schema) return [];
    let body: unknown;
    try {
      body = JSON.parse(answer.text);
    } catch {
      return [`the ${type} body is not JSON`];
    }
    const validate = validatorOf(media.schema);
    if (validate(body)) return [];
    return (validate.errors ?? []).map(
      (e) =>
        `body breaks the schema at "${e.instancePath}": ${e.message} ${JSON.stringify(e.params)}`,
    );
  };
}
