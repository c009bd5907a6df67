import { Alert, Loader } from '@mantine/core';

/** While a read is on its way, a labelled spinner; when it failed, why. */
export function LoadState({
  error,
  loading,
  what,
}: {
  error: string | undefined;
  loading: boolean;
  /** What is being read, in words ("the clients"). */
  what: string;
}) {
  if (error)
    return (
      <Alert color="red" title={`${capitalized(what)} could not be read`} role="alert">
        {error}
      </Alert>
    );
  return loading ? <Loader aria-label={`Loading ${what}`} /> : null;
}

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
