/**
 * FreeBSD audit records as the praudit reader (src/sources/praudit/) builds
 * them from `praudit -x`: `praudit` holds the header (event, time, …), the
 * other members the record's tokens. A successful program execution —
 * execve(2), and the other exec events of /etc/security/audit_event:
 * exec(2), fexecve(2), mac_execve(2), posix_spawn(2) — becomes
 * process_creation; the event is named by description (praudit's default),
 * AUE_ name (-s) or number (-r). A failed exec started nothing and gets no
 * category. Fields:
 *
 *   Image       ← the first <path> (the kernel's absolute path of the program)
 *   CommandLine ← <exec_args> joined with spaces (composed: derived-fields.ts;
 *                 logged only with the audit policy `argv`, FreeBSD's default)
 *   User        ← subject uid (effective user: a name, or a number with praudit -n/-r)
 *   ProcessId   ← subject pid
 *   @timestamp  ← only with praudit -r, whose time is epoch seconds: the default
 *                 ctime text carries no time zone, so it is not placed on the timeline
 *
 * macOS's OpenBSM trails (auditd, deprecated since macOS 11) print the same
 * XML and would be labelled freebsd as well: the records do not say which.
 */
import type { FlatEvent } from './flat-event.js';
import { flattenInto } from './flat-event.js';
import { joinArgv } from './argv.js';
import type { LogShape } from './shapes.js';
import { isRecord, type JsonRecord } from './xml-json.js';

const EXEC_EVENTS = new Set([
  'exec(2)', 'execve(2)', 'fexecve(2)', 'mac_execve(2)', 'posix_spawn(2)',
  'aue_exec', 'aue_execve', 'aue_fexecve', 'aue_mac_execve', 'aue_posix_spawn',
  '7', '23', '43144', '43131', '43190',
]);

export function isPrauditRecord(doc: JsonRecord): boolean {
  const h = doc['praudit'];
  return isRecord(h) && typeof h['event'] === 'string';
}

export const FREEBSD_PRAUDIT: LogShape = {
  name: 'praudit',
  product: 'freebsd',
  matches: isPrauditRecord,
  normalize(ev: FlatEvent, doc: JsonRecord): void {
    flattenInto(ev, doc, '');
    const header = doc['praudit'] as JsonRecord;
    const event = String(header['event']).toLowerCase();
    const isExec = EXEC_EVENTS.has(event);
    ev.logsource = { product: 'freebsd', categories: isExec && succeeded(doc['return']) ? ['process_creation'] : [] };
    ev.set('Image', firstText(doc['path']));
    if (isExec) ev.set('CommandLine', joinArgv(ev, doc['exec_args'], 'exec_args'));
    const subject = isRecord(doc['subject']) ? doc['subject'] : undefined;
    if (subject) {
      ev.set('User', text(subject['uid']));
      const pid = text(subject['pid']);
      ev.set('ProcessId', pid !== undefined && /^\d+$/.test(pid) ? Number(pid) : pid);
    }
    // Header tokens with an address (header_ex) name the host.
    ev.set('host.name', text(header['host']));
    ev.set('@timestamp', epochTime(header['time'], header['msec']));
  },
};

/** `errval="success"` (or 0 with -r); a record without a return token is given the benefit of the doubt. */
function succeeded(ret: unknown): boolean {
  if (!isRecord(ret)) return true;
  const e = ret['errval'];
  return e === undefined || e === 'success' || e === '0';
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function firstText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.find((x): x is string => typeof x === 'string');
  return undefined;
}

/** praudit -r prints time as epoch seconds and msec as a number. */
function epochTime(time: unknown, msec: unknown): string | undefined {
  if (typeof time !== 'string' || !/^\d+$/.test(time)) return undefined;
  const ms = typeof msec === 'string' ? Number(/\d+/.exec(msec)?.[0] ?? 0) : 0;
  const d = new Date(Number(time) * 1000 + ms);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}
