/**
 * Hands a file the admin API answered (an export) to the browser as a download named `name`.
 * The API needs the bearer token, so a plain link cannot fetch it: the bytes are read first
 * (`requestFile`) and saved from an object URL, released a minute later (a browser may still be
 * reading it just after the click).
 */
export function saveFile(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
