import { Loader } from '@mantine/core';
import type { Problem } from '../api.ts';
import { Unreachable } from './Unreachable.tsx';

/** While a read is on its way, a labelled spinner; when it failed, why (`Unreachable`). */
export function LoadState({
  error,
  loading,
  what,
}: {
  error: Problem | undefined;
  loading: boolean;
  /** What is being read, in words ("the clients"). */
  what: string;
}) {
  if (error) return <Unreachable problem={error} what={what} />;
  return loading ? <Loader aria-label={`Loading ${what}`} /> : null;
}
