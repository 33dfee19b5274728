/**
 * The raw auditd fields of one assembled event (Vigil's assembly of a raw
 * log, or a LAUREL JSON line), as SigmaHQ's `service: auditd` rules name
 * them. Those rules are written per record (`type: EXECVE` + `a0`, `type:
 * PATH` + `name`, `type: SYSCALL` + `exe`), but Vigil evaluates one event
 * holding all of its records, so each field answers for all of them:
 *
 *   type   the record types present, e.g. [SYSCALL, EXECVE, CWD, PATH, PROCTITLE]
 *   a0…aN  the argv (EXECVE.ARGV); only without an EXECVE record the
 *          SYSCALL record's registers (a0…a3, hex as logged)
 *   other  every other key of every record (and of a user-space msg='…'),
 *          all distinct values as a list: `name` = every PATH name,
 *          `syscall` = [number, name], `uid` = [0, "root"] under ENRICHED
 *
 * The trade-off: `type: EXECVE and a0: x` holds when any record matches
 * each item, which per-record evaluation would also find; but items that
 * per-record evaluation keeps apart can now meet across records (`type:
 * SYSCALL and name: /etc/…` sees the PATH record's name), and keywords
 * search the whole event. In exchange one event gives one alert, and a
 * rule can combine what the kernel split (an exe with the path it opened).
 */
import type { Scalar } from '../core/event.js';
import { isRecord, type JsonRecord } from './xml-json.js';

/** Top-level members that are not audit records. */
const NOT_RECORDS = new Set(['ID', 'NODE']);
const REGISTER = /^a[0-3]$/;
/** A user-space record's msg='…', parsed into fields; its fields count as the record's own. */
const USER_MESSAGE = 'msg';

export interface TypedRecord {
  readonly type: string;
  readonly rec: JsonRecord;
}

/** Every record of the event with its type: objects (SYSCALL, CWD, …) and each member of a list (PATH, SOCKADDR, …). */
export function recordsOf(doc: JsonRecord): TypedRecord[] {
  const out: TypedRecord[] = [];
  for (const type of Object.keys(doc)) {
    if (NOT_RECORDS.has(type)) continue;
    const v = doc[type];
    if (isRecord(v)) out.push({ type, rec: v });
    else if (Array.isArray(v)) for (const r of v) if (isRecord(r)) out.push({ type, rec: r });
  }
  return out;
}

/** The record types present, in order, each once. */
export function recordTypes(records: readonly TypedRecord[]): string[] {
  return [...new Set(records.map((r) => r.type))];
}

export function argvOf(rec: JsonRecord | undefined): Scalar[] | undefined {
  const argv = rec?.['ARGV'];
  return Array.isArray(argv) ? argv.filter(isScalarValue) : undefined;
}

/**
 * The union described above, lower-cased keys → distinct values. Nested
 * objects other than msg (LAUREL's SYSCALL.PPID describes the parent) are
 * left out: their `exe` is not this event's `exe`.
 */
export function rawAuditFields(records: readonly TypedRecord[], execArgv: readonly Scalar[] | undefined): Map<string, Scalar[]> {
  const fields = new Map<string, Scalar[]>();
  // Values seen per key, as text: distinctness in constant time (a hostile record may hold thousands).
  const seen = new Map<string, Set<string>>();
  const add = (key: string, v: Scalar): void => {
    const k = key.toLowerCase();
    let list = fields.get(k);
    let texts = seen.get(k);
    if (!list || !texts) {
      fields.set(k, (list = []));
      seen.set(k, (texts = new Set()));
    }
    const t = String(v);
    if (!texts.has(t)) {
      texts.add(t);
      list.push(v);
    }
  };
  const addRecord = (type: string, rec: JsonRecord): void => {
    for (const key of Object.keys(rec)) {
      const v = rec[key];
      if (key === 'ARGV') {
        // LAUREL's SYSCALL registers; argv is handled by the caller.
        if (type === 'SYSCALL' && execArgv === undefined && Array.isArray(v)) v.forEach((x, i) => isScalarValue(x) && add(`a${i}`, x));
        continue;
      }
      if (type === 'SYSCALL' && execArgv !== undefined && REGISTER.test(key)) continue;
      if (isScalarValue(v)) add(key, v);
      else if (Array.isArray(v)) v.forEach((x) => isScalarValue(x) && add(key, x));
      else if (key === USER_MESSAGE && isRecord(v)) addRecord(type, v);
    }
  };
  for (const { type, rec } of records) addRecord(type, rec);
  if (execArgv) execArgv.forEach((a, i) => fields.set(`a${i}`, [a]));
  return fields;
}

function isScalarValue(v: unknown): v is Scalar {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}
