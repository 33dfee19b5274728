/**
 * minute/hour/day/week/month/year (spec 2.1): pull one number out of a
 * date-time field value as written — no time-zone conversion.
 * Accepts "2025-11-27T07:40:10.16Z", "2025-11-27 07:40:10.132", and epoch numbers (UTC).
 */
export type TimePart = 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year';
export const TIME_PARTS: readonly TimePart[] = ['minute', 'hour', 'day', 'week', 'month', 'year'];

const STAMP = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?/;

export function extractTimePart(value: string | number, part: TimePart): number | undefined {
  let y: number, mo: number, d: number, h: number, mi: number;
  if (typeof value === 'number') {
    const date = new Date(value > 1e12 ? value : value * 1000);
    if (Number.isNaN(date.getTime())) return undefined;
    [y, mo, d, h, mi] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), date.getUTCHours(), date.getUTCMinutes()];
  } else {
    const m = STAMP.exec(value.trim());
    if (!m) return undefined;
    [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    h = m[4] === undefined ? 0 : Number(m[4]);
    mi = m[5] === undefined ? 0 : Number(m[5]);
    // Not a date ("2025-13-45"): no part to pull out.
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59) return undefined;
  }
  switch (part) {
    case 'minute': return mi;
    case 'hour': return h;
    case 'day': return d;
    case 'month': return mo;
    case 'year': return y;
    case 'week': return isoWeek(y, mo, d);
  }
}

/** ISO-8601 week number of a calendar date. */
function isoWeek(y: number, m: number, d: number): number {
  const date = new Date(Date.UTC(y, m - 1, d));
  const dayNum = (date.getUTCDay() + 6) % 7; // Monday = 0
  date.setUTCDate(date.getUTCDate() - dayNum + 3); // Thursday of this week
  const firstThursday = new Date(Date.UTC(date.getUTCFullYear(), 0, 4));
  const diff = (date.getTime() - firstThursday.getTime()) / 86400000;
  return 1 + Math.round((diff - 3 + ((firstThursday.getUTCDay() + 6) % 7)) / 7);
}
