/** Times as people read them: "just now", "5 min ago", "yesterday", then the date. */
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export function relativeTime(iso: string, now = Date.now(), locale?: string): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return '';
  const elapsed = now - then;
  if (elapsed < MINUTE) return 'just now';
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto', style: 'short' });
  if (elapsed < HOUR) return rtf.format(-Math.floor(elapsed / MINUTE), 'minute');
  if (elapsed < DAY) return rtf.format(-Math.floor(elapsed / HOUR), 'hour');
  if (elapsed < 7 * DAY) return rtf.format(-Math.floor(elapsed / DAY), 'day');
  return new Date(then).toLocaleDateString(locale, { month: 'short', day: 'numeric' });
}

export function fullTime(iso: string, locale?: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? ''
    : date.toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short' });
}

/** Badge text: "1" … "99", then "99+". */
export function badgeText(count: number): string {
  return count > 99 ? '99+' : String(count);
}

/** What to tell the user about a failure. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
