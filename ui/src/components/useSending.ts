import { useCallback, useState } from 'react';
import { type Refusal, refusalOf } from './Refusal.tsx';

/** A change a form or dialog sends: busy while it is on its way, and the refusal it met. */
export interface Sending {
  busy: boolean;
  refusal: Refusal | undefined;
  /**
   * Runs `change` with the form busy and the last refusal gone; the API's refusal is kept for
   * the form to show (`RefusalAlert`, `fieldError`), anything else goes on up.
   */
  send: (change: () => Promise<void>) => Promise<void>;
  /** Forgets the refusal: the dialog closed, or the form starts afresh. */
  clear: () => void;
}

/** What every form that changes something needs between its submit and the API's answer. */
export function useSending(): Sending {
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<Refusal>();
  const send = useCallback(async (change: () => Promise<void>) => {
    setBusy(true);
    setRefusal(undefined);
    try {
      await change();
    } catch (err) {
      setRefusal(refusalOf(err));
    } finally {
      setBusy(false);
    }
  }, []);
  const clear = useCallback(() => setRefusal(undefined), []);
  return { busy, refusal, send, clear };
}
