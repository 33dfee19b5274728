/**
 * The records of one audit event → one JSON object, in the shape LAUREL
 * writes (so one normalizer reads both Vigil's assembly and LAUREL's own
 * output):
 *
 *   { "ID": "1615114232.375:15558",          time:serial, as in msg=audit(…)
 *     "NODE": "work",                         only when the log has node=
 *     "SYSCALL": { "arch": "c000003e", "syscall": "59", "a0": "63b2…", …,
 *                  "exe": "/usr/bin/whoami", "key": null,
 *                  "ARCH": "x86_64", "SYSCALL": "execve", "UID": "root", … },
 *     "EXECVE": { "argc": "1", "ARGV": ["whoami"] },      every EXECVE record merged,
 *                                                           split arguments joined
 *     "CWD": { "cwd": "/home/user/tmp" },
 *     "PATH": [ { "item": "0", "name": "/usr/bin/whoami", … }, … ],  sorted by item
 *     "PROCTITLE": { "ARGV": ["whoami"] },     NUL-separated hex split into words
 *     "SOCKADDR": [ { "saddr": "0200…", "SADDR": "{…}" } ],
 *     "<ANY OTHER TYPE>": [ { … }, … ] }       a user-space msg='…' becomes an object
 *
 * Values stay text as logged, decoded from hex; `(null)` is null. ENRICHED
 * fields (upper-case keys) sit in their record beside the raw ones, as in
 * LAUREL. Where the log is RAW, ARCH and SYSCALL are filled in from the
 * arch's syscall table, as auditd's ENRICHED format would have written them.
 * Differences from LAUREL: SYSCALL keeps a0…a3 (LAUREL: "ARGV": ["0x…"]);
 * numbers stay strings; no EOE; no parent-process enrichment.
 */
import { archName, syscallName } from './arch.js';
import type { AuditRecord } from './record.js';
import { decodeField, hexBytes, type AuditValue } from './values.js';

export type AuditRecordJson = { [key: string]: AuditValue };
export interface AuditEventJson {
  ID: string;
  NODE?: string;
  [recordType: string]: unknown;
}

export interface LineRecord {
  readonly record: AuditRecord;
  /** 1-based line number of the record in its file. */
  readonly line: number;
}

/** Record types that occur once per event and are written as one object, not a list. */
const SINGLE = new Set(['SYSCALL', 'CWD', 'PROCTITLE']);

export function buildEvent(records: readonly LineRecord[], report: (message: string, line: number) => void): AuditEventJson {
  // Problems are found record type by record type; they are reported in line order.
  const problems: { message: string; line: number }[] = [];
  const problem = (message: string, line: number): void => void problems.push({ message, line });
  const event = assemble(records, problem);
  problems.sort((a, b) => a.line - b.line);
  for (const p of problems) report(p.message, p.line);
  return event;
}

function assemble(records: readonly LineRecord[], problem: (message: string, line: number) => void): AuditEventJson {
  const first = records[0].record;
  const event: AuditEventJson = { ID: `${first.time}:${first.serial}` };
  if (first.node !== undefined) event.NODE = first.node;
  const execve: LineRecord[] = [];
  for (const lr of records) {
    const { record } = lr;
    if (record.type === 'EXECVE') {
      if (execve.length === 0) event.EXECVE = null; // keeps its place among the keys
      execve.push(lr);
      continue;
    }
    const obj = record.type === 'PROCTITLE' ? proctitle(lr, problem) : fieldsOf(lr, problem);
    if (record.type === 'SYSCALL') addNames(obj);
    if (SINGLE.has(record.type)) {
      if (Object.hasOwn(event, record.type)) problem(`a second ${record.type} record in event ${event.ID}; ignored`, lr.line);
      else event[record.type] = obj;
    } else {
      // Own members only: a record typed `constructor` or `__proto__` must not meet Object.prototype.
      const prev = Object.hasOwn(event, record.type) ? event[record.type] : undefined;
      const list = Array.isArray(prev) ? (prev as AuditRecordJson[]) : [];
      list.push(obj);
      if (record.type === '__proto__') Object.defineProperty(event, record.type, { value: list, enumerable: true, writable: true, configurable: true });
      else event[record.type] = list;
    }
  }
  if (execve.length > 0) event.EXECVE = mergeExecve(execve, event.ID, problem);
  if (Array.isArray(event.PATH)) sortByItem(event.PATH as AuditRecordJson[]);
  return event;
}

function fieldsOf(lr: LineRecord, problem: (message: string, line: number) => void): AuditRecordJson {
  const out: AuditRecordJson = {};
  const { record } = lr;
  for (const f of record.fields) {
    if (f.key in out) continue; // a repeated key (seen in the wild): the first one stands
    const d = decodeField(record.type, f);
    if (d.problem) problem(`${record.type} record: ${d.problem}`, lr.line);
    out[f.key] = d.value;
  }
  for (const f of record.enriched) {
    if (f.key in out) continue;
    out[f.key] = f.quote === '{' ? `{${f.text.trim()}}` : f.text;
  }
  return out;
}

/** ENRICHED names for a RAW SYSCALL record, from the arch's tables. */
function addNames(obj: AuditRecordJson): void {
  const arch = archName(obj.arch);
  if (obj.ARCH === undefined && arch !== undefined) obj.ARCH = arch;
  if (obj.SYSCALL === undefined) {
    const name = syscallName(arch, obj.syscall);
    if (name !== undefined) obj.SYSCALL = name;
  }
}

/** PROCTITLE holds the process's argv (truncated by the kernel), NUL-separated. */
function proctitle(lr: LineRecord, problem: (message: string, line: number) => void): AuditRecordJson {
  const f = lr.record.fields.find((x) => x.key === 'proctitle');
  if (f === undefined) return {};
  if (f.quote === '"') return { ARGV: [f.text] };
  if (f.text === '(null)') return { ARGV: [] };
  const bytes = hexBytes(f.text);
  if (typeof bytes === 'string') {
    problem(`PROCTITLE record: ${bytes} in the value of proctitle`, lr.line);
    return { ARGV: [f.text] };
  }
  const words = bytes.toString('utf8').split('\0');
  while (words.length > 1 && words[words.length - 1] === '') words.pop();
  return { ARGV: words };
}

const ARG = /^a(\d+)$/;
const ARG_LEN = /^a(\d+)_len$/;
const ARG_PART = /^a(\d+)\[(\d+)\]$/;
/** No real argv has more arguments than this; a larger index is damage, not a reason to allocate. */
const MAX_ARGS = 1 << 17;

/**
 * EXECVE records of one event → { argc, ARGV }. A long argument is logged
 * as `aN_len=<hex chars>` and `aN[0]=… aN[1]=…`, possibly across records;
 * its pieces are joined as bytes before decoding.
 */
function mergeExecve(records: readonly LineRecord[], id: string, problem: (message: string, line: number) => void): AuditRecordJson {
  let argc: AuditValue | undefined;
  const whole = new Map<number, string>();
  const parts = new Map<number, { pieces: Map<number, Buffer>; hexChars: number; line: number }>();
  const declared = new Map<number, { len: number; line: number }>();
  for (const { record, line } of records) {
    for (const f of record.fields) {
      if (f.key === 'argc') {
        argc ??= f.text;
        continue;
      }
      let m = ARG.exec(f.key);
      if (m) {
        const n = Number(m[1]);
        if (n >= MAX_ARGS || whole.has(n)) continue;
        const d = decodeField('EXECVE', f);
        if (d.problem) problem(`EXECVE record: ${d.problem}`, line);
        whole.set(n, d.value === null ? '' : String(d.value));
        continue;
      }
      m = ARG_LEN.exec(f.key);
      if (m) {
        declared.set(Number(m[1]), { len: Number(f.text), line });
        continue;
      }
      m = ARG_PART.exec(f.key);
      if (m) {
        const n = Number(m[1]);
        if (n >= MAX_ARGS) continue;
        let p = parts.get(n);
        if (!p) parts.set(n, (p = { pieces: new Map(), hexChars: 0, line }));
        const idx = Number(m[2]);
        if (p.pieces.has(idx)) continue;
        if (f.quote === '"') {
          p.pieces.set(idx, Buffer.from(f.text, 'utf8'));
          p.hexChars += 2 * Buffer.byteLength(f.text);
        } else {
          const bytes = hexBytes(f.text);
          if (typeof bytes === 'string') {
            problem(`EXECVE record: ${bytes} in the value of ${f.key}`, line);
            p.pieces.set(idx, Buffer.from(f.text, 'utf8'));
          } else {
            p.pieces.set(idx, bytes);
            p.hexChars += f.text.length;
          }
        }
      }
    }
  }
  for (const [n, p] of parts) {
    if (whole.has(n)) continue;
    const order = [...p.pieces.keys()].sort((a, b) => a - b);
    whole.set(n, Buffer.concat(order.map((i) => p.pieces.get(i)!)).toString('utf8'));
    const d = declared.get(n);
    if (d && d.len !== p.hexChars) {
      problem(`EXECVE a${n}_len=${d.len} but its pieces hold ${p.hexChars} hex characters (records lost?) in event ${id}`, d.line);
    }
  }
  const ARGV = [...whole.keys()].sort((a, b) => a - b).map((n) => whole.get(n)!);
  const out: AuditRecordJson = {};
  if (argc !== undefined) out.argc = argc;
  out.ARGV = ARGV;
  return out;
}

function sortByItem(list: AuditRecordJson[]): void {
  const item = (r: AuditRecordJson): number => (typeof r.item === 'string' && /^\d+$/.test(r.item) ? Number(r.item) : Infinity);
  list.sort((a, b) => item(a) - item(b));
}
