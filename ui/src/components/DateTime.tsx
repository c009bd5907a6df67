/** In the browser's language and time zone: "4 Dec 2026, 18:21". */
const local = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** The same instant in UTC to the second, as logs show it: "2026-12-04 17:21:08 UTC". */
export const utcText = (date: Date) => `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;

/**
 * An instant the API answered (ISO 8601), shown in the user's time zone with its UTC value on
 * hover; `fallback` stands for a missing one ("never").
 */
export function DateTime({
  value,
  fallback = '—',
}: {
  value: string | null | undefined;
  fallback?: string;
}) {
  if (!value) return <>{fallback}</>;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return <>{value}</>;
  return (
    <time dateTime={date.toISOString()} title={utcText(date)}>
      {local.format(date)}
    </time>
  );
}
