/**
 * The audit daemon whose log Vigil follows: the one already running (its
 * log file read from the configuration it was started with), or a private
 * one Vigil starts with its own configuration in a temporary folder and
 * stops by PID when done.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, constants as fsConstants, existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { auditDaemonPid, AuditUnavailableError } from './auditctl.js';

export const SYSTEM_AUDITD_CONF = '/etc/audit/auditd.conf';
const DEFAULT_LOG = '/var/log/audit/audit.log';

/** The settings of an auditd.conf that matter here. */
export interface AuditdConfig {
  logFile: string;
  writeLogs: boolean;
}

export function readAuditdConfig(path: string): AuditdConfig {
  const conf = new Map<string, string>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^\s*([A-Za-z_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (m) conf.set(m[1].toLowerCase(), m[2]);
  }
  return { logFile: conf.get('log_file') || DEFAULT_LOG, writeLogs: (conf.get('write_logs') ?? 'yes').toLowerCase() !== 'no' };
}

/**
 * The configuration file a running auditd reads: `-c DIR` on its command
 * line names DIR/auditd.conf (a private instance, like the one started
 * below); otherwise the system's.
 */
export function configOfRunningAuditd(pid: number): string {
  let argv: string[] = [];
  try {
    argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return SYSTEM_AUDITD_CONF; // in another PID namespace: assume the system's
  }
  const i = argv.indexOf('-c');
  if (i >= 0 && argv[i + 1]) return join(argv[i + 1], 'auditd.conf');
  return SYSTEM_AUDITD_CONF;
}

export interface AuditDaemon {
  /** PID when started, 0 when reused and its PID is not known any more. */
  readonly pid: number;
  readonly logFile: string;
  readonly startedByVigil: boolean;
  /** Stops the daemon if Vigil started it (by its PID) and removes its folder unless it was given; no-op otherwise. */
  stop(): Promise<void>;
  /** The same, without waiting: for a process 'exit' handler. */
  stopNow(): void;
}

/** The running auditd, if the kernel has one registered; its log file from its configuration. */
export function reuseRunningAuditd(logOverride?: string): AuditDaemon | undefined {
  const pid = auditDaemonPid();
  if (pid === 0) return undefined;
  let logFile = logOverride;
  if (!logFile) {
    const confPath = configOfRunningAuditd(pid);
    const conf = existsSync(confPath) ? readAuditdConfig(confPath) : { logFile: DEFAULT_LOG, writeLogs: true };
    if (!conf.writeLogs) {
      throw new AuditUnavailableError(`the running auditd (pid ${pid}) writes no log (write_logs = no in ${confPath}): Vigil reads the log file`);
    }
    logFile = conf.logFile;
  }
  return { pid, logFile: resolve(logFile), startedByVigil: false, stop: async () => {}, stopNow: () => {} };
}

/** A log given by the user while no daemon runs (it may be written by something else): followed, nothing started. */
export function followOnly(logFile: string): AuditDaemon {
  return { pid: 0, logFile: resolve(logFile), startedByVigil: false, stop: async () => {}, stopNow: () => {} };
}

/**
 * A private auditd: ENRICHED records (names resolved, as the system default
 * on Debian), log rotated by auditd itself at 16 MiB keeping 3 files,
 * nothing suspended or mailed when the disk fills. `dir` given: the log
 * stays there; otherwise a temporary folder, removed on stop.
 */
/**
 * A folder given for the private auditd is written by root (its
 * configuration, the daemon's output, the log): it must be root's alone, or
 * another user could plant links there that turn those writes against any
 * file. Missing folders are created (0700).
 */
function checkPrivateDir(home: string): void {
  if (!existsSync(home)) {
    mkdirSync(home, { recursive: true, mode: 0o700 });
    return;
  }
  const st = lstatSync(home);
  if (!st.isDirectory()) throw new AuditUnavailableError(`--audit-dir ${home} is not a folder (a link is not accepted)`);
  if (st.uid !== 0 || (st.mode & 0o022) !== 0) {
    throw new AuditUnavailableError(`--audit-dir ${home} must belong to root and be writable by root only (it holds files root writes)`);
  }
  for (const name of ['auditd.conf', 'auditd.out', 'audit.log', 'plugins.d']) {
    const p = join(home, name);
    if (isLink(p)) throw new AuditUnavailableError(`${p} is a symbolic link; refusing to write through it`);
  }
}

/** lstat, not exists: a dangling link does not "exist" but would still be written through. */
function isLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

export async function startPrivateAuditd(dir?: string): Promise<AuditDaemon> {
  const keep = dir !== undefined;
  const home = dir ? resolve(dir) : mkdtempSync(join(tmpdir(), 'vigil-sensor-auditd-'));
  if (dir) checkPrivateDir(home);
  mkdirSync(join(home, 'plugins.d'), { recursive: true, mode: 0o750 });
  const logFile = join(home, 'audit.log');
  writeFileSync(join(home, 'auditd.conf'), [
    'local_events = yes', 'write_logs = yes', `log_file = ${logFile}`, 'log_format = ENRICHED', 'flush = INCREMENTAL_ASYNC',
    'freq = 50', 'max_log_file = 16', 'max_log_file_action = ROTATE', 'num_logs = 3', 'space_left = 16', 'space_left_action = IGNORE',
    'admin_space_left = 8', 'admin_space_left_action = IGNORE', 'disk_full_action = IGNORE', 'disk_error_action = IGNORE',
    `plugin_dir = ${join(home, 'plugins.d')}`, 'end_of_event_timeout = 2', '',
  ].join('\n'), { mode: 0o640 });
  // O_NOFOLLOW: as root, never append through a link someone else left there.
  const outFd = openSync(join(home, 'auditd.out'), fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_APPEND | fsConstants.O_NOFOLLOW, 0o640);
  let child: ChildProcess;
  try {
    // Detached: a Ctrl-C at the terminal reaches Vigil, which then stops auditd itself after removing its rules.
    child = spawn('auditd', ['-c', home, '-n'], { stdio: ['ignore', outFd, outFd], detached: true });
  } finally {
    closeSync(outFd);
  }
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  const spawnError = new Promise<Error>((res) => child.once('error', res));
  const pid = child.pid ?? 0;
  const cleanupDir = (): void => {
    if (!keep) rmSync(home, { recursive: true, force: true });
  };
  const fail = (why: string): never => {
    if (pid) try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
    let out = '';
    try { out = readFileSync(join(home, 'auditd.out'), 'utf8').trim(); } catch { /* none */ }
    cleanupDir();
    throw new AuditUnavailableError(`${why}${out ? `: ${out}` : ''}`);
  };
  for (let i = 0; i < 100; i++) {
    const early = await Promise.race([spawnError, exited.then(() => 'exited' as const), sleep(50).then(() => undefined)]);
    if (early instanceof Error) fail((early as NodeJS.ErrnoException).code === 'ENOENT' ? 'auditd not found (Debian/Ubuntu: apt-get install auditd)' : `cannot start auditd: ${early.message}`);
    if (early === 'exited') fail('auditd exited at once');
    if (auditDaemonPid() === pid) {
      child.unref();
      let stopped = false;
      const stopNow = (): void => {
        // Also after stop() began (a signal while it waits for the daemon): the folder must still go.
        if (!stopped) {
          stopped = true;
          try { process.kill(pid, 'SIGTERM'); } catch { /* already gone */ }
        }
        cleanupDir();
      };
      return {
        pid, logFile, startedByVigil: true, stopNow,
        stop: async () => {
          if (stopped) return;
          stopped = true;
          try { process.kill(pid, 'SIGTERM'); } catch { /* already gone */ }
          let timer: NodeJS.Timeout | undefined;
          const gone = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), 5000)))]);
          clearTimeout(timer);
          if (!gone) try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
          cleanupDir();
        },
      };
    }
  }
  return fail(`auditd (pid ${pid}) did not register with the kernel within 5 s (another audit daemon may hold the kernel's connection)`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
