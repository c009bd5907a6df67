import { useCallback, useEffect, useState } from 'react';
import type { Problem } from '../api.ts';
import { problemOf } from './Unreachable.tsx';

/** What a page read from the API: the answer, or why it could not be read, and a way to read it again. */
export interface Loaded<T> {
  data: T | undefined;
  error: Problem | undefined;
  reload: () => Promise<void>;
}

/** Reads `load` when the page opens and again whenever `load` changes (memoize it). */
export function useLoaded<T>(load: () => Promise<T>): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<Problem>();
  const reload = useCallback(
    () =>
      load().then(
        (answer) => {
          setData(answer);
          setError(undefined);
        },
        (err: unknown) => setError(problemOf(err)),
      ),
    [load],
  );
  useEffect(() => {
    setData(undefined);
    void reload();
  }, [reload]);
  return { data, error, reload };
}
