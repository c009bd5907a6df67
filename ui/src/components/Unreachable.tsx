import { Alert } from '@mantine/core';
import { ApiError, type Problem } from '../api.ts';

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** Why a read failed: the API's problem, or what went wrong on the way (status 0). */
export const problemOf = (err: unknown): Problem =>
  err instanceof ApiError
    ? err.problem
    : {
        status: 0,
        title: 'Failed',
        code: 'network',
        detail: err instanceof Error ? err.message : String(err),
      };

/**
 * Why a page of an organization shows nothing: not this user's to see (another organization, or
 * a permission they lack), not there, or another failure in the API's words. `what` names what
 * the page shows ("the users of this organization", "this user"). Every section of an
 * organization answers a refused read with it (through `LoadState`, or directly).
 */
export function Unreachable({ problem, what }: { problem: Problem; what: string }) {
  if (problem.status === 403)
    return (
      <Alert color="red" title="Not yours to see" role="alert">
        You may not see {what}: the organization is not yours, or your roles do not allow it. Pick a
        section from the navigation.
      </Alert>
    );
  if (problem.status === 404)
    return (
      <Alert color="red" title="Not found" role="alert">
        {capitalized(what)} could not be found in this organization: the link may be wrong, or what
        it named is gone.
      </Alert>
    );
  return (
    <Alert color="red" title={`${capitalized(what)} could not be read`} role="alert">
      {problem.detail ?? problem.title}
    </Alert>
  );
}
