/**
 * FILETIME and SYSTEMTIME as text, in the form evtx_dump writes
 * (`2025-11-27T07:40:10.165324Z`: UTC, six fractional digits, the 100 ns
 * digit dropped). Calendar arithmetic is done here, without Date objects.
 */

const TICKS_PER_SECOND = 10_000_000;
/** Days from 1601-01-01 (FILETIME epoch) to 1970-01-01. */
const DAYS_1601_TO_1970 = 134774;

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

function pad(n: number, width: number): string {
  const s = String(n);
  return s.length >= width ? s : '0'.repeat(width - s.length) + s;
}

/** Proleptic Gregorian (year, month, day) of a day count since 1970-01-01. */
export function civilFromDays(days: number): [number, number, number] {
  // Shift to an era-based count starting 0000-03-01 so leap days fall at the end of a year.
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097; // [0, 146096]
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365); // [0, 399]
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100)); // [0, 365]
  const mp = Math.floor((5 * doy + 2) / 153); // [0, 11], March = 0
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return [year, month, day];
}

/** The last day formatted: consecutive records are almost always on the same day. */
let lastDays = NaN;
let lastDate = '';

function formatSeconds(totalSeconds: number, micros: number): string {
  const days = Math.floor(totalSeconds / 86400);
  let s = totalSeconds - days * 86400;
  if (days !== lastDays) {
    const [y, mo, d] = civilFromDays(days - DAYS_1601_TO_1970);
    lastDate = `${pad(y, 4)}-${pad2(mo)}-${pad2(d)}T`;
    lastDays = days;
  }
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const mi = Math.floor(s / 60);
  s -= mi * 60;
  return `${lastDate}${pad2(h)}:${pad2(mi)}:${pad2(s)}.${pad(micros, 6)}Z`;
}

/** A FILETIME given as its low and high 32-bit halves. */
export function formatFiletime(lo: number, hi: number): string {
  // ticks = hi * 2^32 + lo, and 2^32 = 429 * 10^7 + 4967296: split so every step stays exact.
  if (hi < 1_800_000_000) {
    const r = hi * 4967296 + lo;
    const rs = Math.floor(r / TICKS_PER_SECOND);
    const seconds = hi * 429 + rs;
    const frac = r - rs * TICKS_PER_SECOND;
    return formatSeconds(seconds, Math.floor(frac / 10));
  }
  const ticks = (BigInt(hi) << 32n) | BigInt(lo);
  const seconds = Number(ticks / 10_000_000n);
  const frac = Number(ticks % 10_000_000n);
  return formatSeconds(seconds, Math.floor(frac / 10));
}

/** A SYSTEMTIME (year, month, day-of-week, day, hour, minute, second, milliseconds), written as stored. */
export function formatSystemtime(buf: Buffer, at: number): string {
  const y = buf.readUInt16LE(at);
  const mo = buf.readUInt16LE(at + 2);
  const d = buf.readUInt16LE(at + 6);
  const h = buf.readUInt16LE(at + 8);
  const mi = buf.readUInt16LE(at + 10);
  const s = buf.readUInt16LE(at + 12);
  const ms = buf.readUInt16LE(at + 14);
  return `${pad(y, 4)}-${pad2(mo)}-${pad2(d)}T${pad2(h)}:${pad2(mi)}:${pad2(s)}.${pad(ms * 1000, 6)}Z`;
}
