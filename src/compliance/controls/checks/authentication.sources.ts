/** What the authentication checks (controls/checks/authentication.ts) read through other modules' services. */
// biome-ignore lint/complexity/noBannedTypes: filled in as the checks need it
export type AuthenticationSources = {};
