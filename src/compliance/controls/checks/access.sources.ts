/** What the access checks (controls/checks/access.ts) read through other modules' services. */
// biome-ignore lint/complexity/noBannedTypes: filled in as the checks need it
export type AccessSources = {};
