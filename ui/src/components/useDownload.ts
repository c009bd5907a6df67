import { useState } from 'react';
import { saveFile } from './saveFile.ts';
import { useSending } from './useSending.ts';

/**
 * A file the admin API answers in one of several formats (an export, a report), saved as a
 * download: `download(format)` fetches it through `fetchFile` and saves it under the name that
 * gives. `loading(format)` is the button of the format on its way; the API's refusal is kept for
 * the page to show.
 */
export function useDownload<F extends string>(
  fetchFile: (format: F) => Promise<{ file: Blob; name: string }>,
) {
  const [asked, setAsked] = useState<F>();
  const { busy, refusal, send } = useSending();
  return {
    refusal,
    download(format: F) {
      setAsked(format);
      void send(async () => {
        const { file, name } = await fetchFile(format);
        saveFile(file, name);
      });
    },
    loading: (format: F) => busy && asked === format,
    /** Another format's download is on its way. */
    waiting: (format: F) => busy && asked !== format,
  };
}
