/** What the operations checks (controls/checks/operations.ts) read through other modules' services. */
// biome-ignore lint/complexity/noBannedTypes: filled in as the checks need it
export type OperationsSources = {};
