/**
 * Process fields of an auditd event under the names SigmaHQ's Linux
 * process_creation rules use (the Sysmon for Linux taxonomy):
 *
 *   Image             SYSCALL.exe (the new image after execve)
 *   CommandLine       EXECVE.ARGV joined by spaces; without EXECVE (records
 *                     lost, or not an execve) the PROCTITLE words, which the
 *                     kernel truncates to 128 bytes
 *   ProcessId         SYSCALL.pid          ParentProcessId  SYSCALL.ppid
 *   User              SYSCALL.UID (ENRICHED name), else uid as logged
 *   LogonId           SYSCALL.uid: what Sysmon for Linux puts there (its
 *                     LogonId is the process's uid: 0 for root, which
 *                     SigmaHQ's `User: root` + `LogonId: 0` rules expect)
 *   TerminalSessionId SYSCALL.ses (the audit login session), unless unset
 *   CurrentDirectory  CWD.cwd              ParentImage  LAUREL's SYSCALL.PPID.exe
 *
 * They are set for every event with a SYSCALL record (a file or socket
 * event has an acting process too); the process_creation category is only
 * given to a successful execve/execveat.
 */
import type { Scalar } from '../core/event.js';
import { archName, syscallName } from '../sources/auditd/arch.js';
import type { FlatEvent } from './flat-event.js';
import { isRecord, type JsonRecord } from './xml-json.js';

const EXEC = new Set(['execve', 'execveat']);
/** auid and ses print as this (-1 as unsigned) when no login session is set. */
const UNSET = '4294967295';

/** The syscall's name: ENRICHED's SYSCALL, else looked up by arch and number. */
export function syscallNameOf(sys: JsonRecord): string | undefined {
  const named = sys['SYSCALL'];
  if (typeof named === 'string') return named;
  return syscallName(archName(sys['ARCH'] ?? sys['arch']), sys['syscall']);
}

export function isSuccessfulExec(sys: JsonRecord | undefined): boolean {
  if (!sys || sys['success'] !== 'yes') return false;
  const name = syscallNameOf(sys);
  return name !== undefined && EXEC.has(name);
}

export function setProcessFields(ev: FlatEvent, doc: JsonRecord, execArgv: readonly Scalar[] | undefined, titleArgv: readonly Scalar[] | undefined): void {
  const sys = isRecord(doc['SYSCALL']) ? doc['SYSCALL'] : undefined;
  const argv = execArgv ?? titleArgv;
  if (argv && argv.length > 0) ev.set('CommandLine', argv.map((a) => (a === null ? '' : String(a))).join(' '));
  const cwd = isRecord(doc['CWD']) ? doc['CWD']['cwd'] : undefined;
  if (typeof cwd === 'string') ev.set('CurrentDirectory', cwd);
  if (!sys) return;
  ev.set('Image', text(sys['exe']));
  ev.set('ProcessId', scalar(sys['pid']));
  ev.set('ParentProcessId', scalar(sys['ppid']));
  ev.set('User', text(sys['UID']) ?? text(sys['uid']));
  ev.set('LogonId', scalar(sys['uid']));
  const ses = scalar(sys['ses']);
  if (ses !== undefined && String(ses) !== UNSET) ev.set('TerminalSessionId', ses);
  const parent = sys['PPID'];
  if (isRecord(parent)) ev.set('ParentImage', text(parent['exe']));
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

function scalar(v: unknown): string | number | undefined {
  return typeof v === 'string' || typeof v === 'number' ? v : undefined;
}
