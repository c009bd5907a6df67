/**
 * One condition a step demands before it goes on, named for what it makes sure of. It answers
 * the refusal's reason (as audited), or null when the condition holds; it may leave what it
 * learned in the context for the checks after it.
 */
export interface Check<Context> {
  readonly name: string;
  check(context: Context): Promise<string | null> | string | null;
}

/** The refusal of the first check that refuses (the later ones do not run), or null. */
export async function firstRefusal<Context>(
  checks: readonly Check<Context>[],
  context: Context,
): Promise<{ check: string; reason: string } | null> {
  for (const { name, check } of checks) {
    const reason = await check(context);
    if (reason !== null) return { check: name, reason };
  }
  return null;
}
