/**
 * Apple's `eslogger` (macOS 13+): one JSON object per line, each an Endpoint
 * Security message (es_message_t) with the struct members as keys:
 * `event_type` (9 = ES_EVENT_TYPE_NOTIFY_EXEC, 11 = NOTIFY_FORK,
 * 15 = NOTIFY_EXIT), `time`, `mach_time`, `process` (es_process_t: the
 * process the event is about — for exec, the caller before its image is
 * replaced), `event.<kind>` (es_event_exec_t: `target` = the process as it
 * runs the new image, `args`, `cwd`, …). An es_process_t carries
 * `audit_token` {pid, euid, ruid, …}, `ppid`, `original_ppid`,
 * `executable.path`, `signing_id`, ….
 *
 * exec → process_creation:
 *   Image            ← event.exec.target.executable.path
 *   CommandLine      ← event.exec.args joined with spaces (composed: derived-fields.ts)
 *   ProcessId        ← target.audit_token.pid
 *   ParentProcessId  ← target.ppid (the parent as it was when the process started)
 *   ParentImage      ← process.executable.path: the image that called exec — after fork
 *                      the parent's own program (a shell), for posix_spawn the parent itself;
 *                      for an exec without fork (`exec netstat` in a script) the image replaced
 *   User             ← target.audit_token.euid (a number: eslogger prints no names)
 *   CurrentDirectory ← event.exec.cwd.path
 * exit → process_termination; fork → no category (as for Elastic Endpoint's fork).
 * Other event kinds keep product macos without a category.
 */
import type { FlatEvent } from './flat-event.js';
import { flattenInto } from './flat-event.js';
import { describe, joinArgv } from './argv.js';
import type { LogShape } from './shapes.js';
import { isRecord, type JsonRecord } from './xml-json.js';

const NOTIFY_EXEC = 9;
const NOTIFY_EXIT = 15;

/** An Endpoint Security message: a numeric event_type, an event object and the acting process. */
export function isEslogger(doc: JsonRecord): boolean {
  const p = doc['process'];
  return typeof doc['event_type'] === 'number' && isRecord(doc['event']) && isRecord(p) && (isRecord(p['audit_token']) || isRecord(p['executable']));
}

export const MACOS_ESLOGGER: LogShape = {
  name: 'eslogger',
  product: 'macos',
  matches: isEslogger,
  normalize(ev: FlatEvent, doc: JsonRecord): void {
    flattenInto(ev, doc, '');
    ev.logsource = { product: 'macos', categories: [] };
    const event = doc['event'] as JsonRecord;
    const type = doc['event_type'];
    const process = doc['process'] as JsonRecord;
    if (type === NOTIFY_EXEC || isRecord(event['exec'])) {
      const exec = event['exec'];
      if (!isRecord(exec)) {
        ev.complain(`eslogger exec message (event_type ${String(type)}): event.exec is ${describe(exec)}, expected an object`);
        return;
      }
      ev.logsource = { product: 'macos', categories: ['process_creation'] };
      const target = objectAt(ev, exec, 'target', 'event.exec.target');
      ev.set('Image', pathOf(ev, target?.['executable'], 'event.exec.target.executable'));
      ev.set('CommandLine', joinArgv(ev, exec['args'], 'event.exec.args'));
      ev.set('CurrentDirectory', pathOf(ev, exec['cwd'], 'event.exec.cwd'));
      const token = target ? objectAt(ev, target, 'audit_token', 'event.exec.target.audit_token') : undefined;
      ev.set('ProcessId', numberAt(ev, token, 'pid', 'event.exec.target.audit_token.pid'));
      ev.set('User', numberAt(ev, token, 'euid', 'event.exec.target.audit_token.euid'));
      ev.set('ParentProcessId', numberAt(ev, target, 'ppid', 'event.exec.target.ppid') ?? numberAt(ev, process, 'ppid', 'process.ppid'));
      ev.set('ParentImage', pathOf(ev, process['executable'], 'process.executable'));
      return;
    }
    if (type === NOTIFY_EXIT || isRecord(event['exit'])) ev.logsource = { product: 'macos', categories: ['process_termination'] };
    ev.set('Image', pathOf(ev, process['executable'], 'process.executable'));
    const token = isRecord(process['audit_token']) ? process['audit_token'] : undefined;
    ev.set('ProcessId', numberAt(ev, token, 'pid', 'process.audit_token.pid'));
    ev.set('User', numberAt(ev, token, 'euid', 'process.audit_token.euid'));
  },
};

function objectAt(ev: FlatEvent, parent: JsonRecord, key: string, where: string): JsonRecord | undefined {
  const v = parent[key];
  if (isRecord(v)) return v;
  if (v !== undefined && v !== null) ev.complain(`eslogger: ${where} is ${describe(v)}, expected an object`);
  return undefined;
}

/** An es_file_t's `path`. */
function pathOf(ev: FlatEvent, file: unknown, where: string): string | undefined {
  if (file === undefined || file === null) return undefined;
  if (!isRecord(file)) {
    ev.complain(`eslogger: ${where} is ${describe(file)}, expected an object with a path`);
    return undefined;
  }
  const p = file['path'];
  if (typeof p === 'string') return p;
  if (p !== undefined && p !== null) ev.complain(`eslogger: ${where}.path is ${describe(p)}, expected a string`);
  return undefined;
}

function numberAt(ev: FlatEvent, obj: JsonRecord | undefined, key: string, where: string): number | undefined {
  const v = obj?.[key];
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  if (v !== undefined && v !== null) ev.complain(`eslogger: ${where} is ${describe(v)}, expected a number`);
  return undefined;
}
