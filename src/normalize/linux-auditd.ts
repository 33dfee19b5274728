/**
 * Linux audit events → product `linux`, service `auditd`, and category
 * `process_creation` for a successful execve/execveat. Reads both the
 * events Vigil assembles from raw logs (src/sources/auditd/event.ts) and
 * LAUREL's JSON lines, which share one shape: an `ID` "<time>:<serial>"
 * and one member per record type.
 *
 *   fields, first set wins:
 *     process names (auditd-process.ts) → host.name ← NODE, @timestamp ← ID
 *     → type, a0…aN, proctitle, every raw record field (auditd-records.ts)
 *     → every member under its dotted path (syscall.exe, execve.argv, …)
 */
import type { FlatEvent } from './flat-event.js';
import { flattenInto } from './flat-event.js';
import type { LogShape } from './shapes.js';
import { isRecord, type JsonRecord } from './xml-json.js';
import { MAX_DATE_MS } from './event-summary.js';
import { argvOf, rawAuditFields, recordsOf, recordTypes } from './auditd-records.js';
import { isSuccessfulExec, setProcessFields } from './auditd-process.js';

const AUDIT_ID = /^(\d+)\.(\d+):\d+$/;

export const linuxAuditdShape: LogShape = {
  name: 'auditd',
  product: 'linux',
  matches(doc: JsonRecord): boolean {
    const id = doc['ID'];
    if (typeof id !== 'string' || !AUDIT_ID.test(id)) return false;
    for (const k of Object.keys(doc)) if (k !== 'ID' && k !== 'NODE' && /^[A-Z]/.test(k) && typeof doc[k] === 'object' && doc[k] !== null) return true;
    return false;
  },
  normalize(ev: FlatEvent, doc: JsonRecord): void {
    const sys = isRecord(doc['SYSCALL']) ? doc['SYSCALL'] : undefined;
    const execArgv = argvOf(isRecord(doc['EXECVE']) ? doc['EXECVE'] : undefined);
    const titleArgv = argvOf(isRecord(doc['PROCTITLE']) ? doc['PROCTITLE'] : undefined);
    setProcessFields(ev, doc, execArgv, titleArgv);
    if (typeof doc['NODE'] === 'string') ev.set('host.name', doc['NODE']);
    const time = isoTime(doc['ID'] as string);
    if (time) ev.set('@timestamp', time);
    const records = recordsOf(doc);
    ev.set('type', recordTypes(records));
    if (titleArgv) ev.set('proctitle', titleArgv.map(String).join(' '));
    for (const [k, values] of rawAuditFields(records, execArgv)) ev.set(k, values.length === 1 ? values[0] : values);
    flattenInto(ev, doc, '');
    ev.logsource = { product: 'linux', service: 'auditd', categories: isSuccessfulExec(sys) ? ['process_creation'] : [] };
  },
};

/** "1615114232.375:15558" → ISO time (the stamp is UTC epoch seconds and milliseconds). */
function isoTime(id: string): string | undefined {
  const m = AUDIT_ID.exec(id);
  if (!m) return undefined;
  const ms = Number(m[1]) * 1000 + Number(m[2].padEnd(3, '0').slice(0, 3));
  return Number.isFinite(ms) && Math.abs(ms) <= MAX_DATE_MS ? new Date(ms).toISOString() : undefined;
}
