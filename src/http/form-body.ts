import { isCleanText } from '../platform/index.ts';

/**
 * A form body as one clean string per field. A field sent twice, or with a control character in
 * its name or value, is left out as if it had not been sent: every form handler answers a missing
 * field with its usual generic answer (a sign-in without an email fails, counted and audited like
 * any other), instead of meeting an array or a NUL it cannot handle.
 */
export function formFields(body: string): Record<string, string> {
  const fields = new Map<string, string | null>();
  for (const [name, value] of new URLSearchParams(body)) {
    const clean = !fields.has(name) && isCleanText(name) && isCleanText(value);
    fields.set(name, clean ? value : null);
  }
  // fromEntries defines own properties: a field named `__proto__` stays a plain field.
  return Object.fromEntries([...fields].filter((f): f is [string, string] => f[1] !== null));
}
