/**
 * One line of an audit log → one record, its values still as logged.
 *
 *   [node=HOST ]type=TYPE msg=audit(SECONDS.MILLIS:SERIAL): k=v k="v" k='a=b c=d' …[\x1d K=v K="v" …]
 *
 * The part after the 0x1d byte is what auditd's ENRICHED log_format adds
 * (names resolved on the logging host: UID="root", SYSCALL=execve). Words
 * that are not `key=value` (old SELinux AVC text such as `avc:  denied  {
 * read } for`) are skipped: they carry no field a rule can name.
 * Decoding (hex, `(null)`) is values.ts's job, because whether an unquoted
 * value is hex depends on the field and the record type.
 */

export type Quote = '"' | "'" | '{' | '';

export interface RawField {
  readonly key: string;
  /** The value without its quotes or braces. */
  readonly text: string;
  /** How it was written: "…", '…' (a user-space msg), {…} (ENRICHED SADDR), or bare. */
  readonly quote: Quote;
}

export interface AuditRecord {
  readonly node?: string;
  readonly type: string;
  /** Seconds and milliseconds since the epoch as logged, e.g. "1615114232.375". */
  readonly time: string;
  readonly serial: string;
  readonly fields: readonly RawField[];
  readonly enriched: readonly RawField[];
}

/** A line that is not an audit record, or one whose text is damaged; the message says which. */
export class AuditLineError extends Error {}

// The colon after the stamp is missing in some old auditd DAEMON_* records.
const HEADER = /^(?:node=([^ ]*) )?type=([^ ]+) msg=audit\((\d+\.\d+):(\d+)\):?/;
const ENRICHED_SEPARATOR = '\x1d';

/**
 * Parses one line (without its newline). Throws AuditLineError when the
 * line is no audit record; returns `problems` for damage inside a record
 * whose header is sound (the record is still usable).
 */
export function parseRecord(line: string): { record: AuditRecord; problems: string[] } {
  const m = HEADER.exec(line);
  if (!m) throw new AuditLineError('not an audit record (expected "type=… msg=audit(<time>:<serial>): …")');
  const problems: string[] = [];
  const rest = line.slice(m[0].length);
  const sep = rest.indexOf(ENRICHED_SEPARATOR);
  const body = sep < 0 ? rest : rest.slice(0, sep);
  const fields: RawField[] = [];
  tokenize(body, fields, problems);
  const enriched: RawField[] = [];
  if (sep >= 0) tokenize(rest.slice(sep + 1), enriched, problems);
  const record: AuditRecord = { type: m[2], time: m[3], serial: m[4], fields, enriched };
  return { record: m[1] !== undefined ? { node: m[1], ...record } : record, problems };
}

const SPACE = 0x20;
const TAB = 0x09;
const EQUALS = 0x3d;
const CLOSER: Readonly<Record<string, string>> = { '"': '"', "'": "'", '{': '}' };

/** Splits `k=v k="v v" k='…' k={ … }` into fields; a missing closing quote is a problem, the value runs to the end. */
export function tokenize(text: string, out: RawField[], problems: string[]): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    let c = text.charCodeAt(i);
    if (c === SPACE || c === TAB) {
      i++;
      continue;
    }
    const keyStart = i;
    while (i < n && (c = text.charCodeAt(i)) !== EQUALS && c !== SPACE && c !== TAB) i++;
    if (i >= n || c !== EQUALS) continue; // a bare word: skipped
    const key = text.slice(keyStart, i);
    i++; // '='
    const open = text[i];
    const close = open === undefined ? undefined : CLOSER[open];
    let value: string;
    let quote: Quote = '';
    if (close !== undefined) {
      quote = open as Quote;
      const end = text.indexOf(close, i + 1);
      if (end < 0) {
        problems.push(`unterminated ${open === '{' ? 'brace' : 'quote'} in the value of ${key}`);
        value = text.slice(i + 1);
        i = n;
      } else {
        value = text.slice(i + 1, end);
        i = end + 1;
      }
    } else {
      const start = i;
      while (i < n && (c = text.charCodeAt(i)) !== SPACE && c !== TAB) i++;
      value = text.slice(start, i);
    }
    if (key !== '') out.push({ key, text: value, quote }); // "=x": no name to file it under
  }
}
