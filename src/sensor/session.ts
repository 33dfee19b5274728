/**
 * Runs a command in a fresh audit session, so every audit event of it and
 * of everything it starts can be told apart from the rest of the host:
 *
 *   /bin/sh -c PRELUDE ─ writes /proc/self/loginuid (root may; the kernel
 *        │               then gives this process a new session id, `ses=`
 *        │               in every later record, inherited by all children)
 *        │               and reports that id on fd 3
 *        └─ exec EXECUTOR -c COMMAND     (same PID, same session)
 *
 * The process also leads its own process group (detached), so a step and
 * its children can be ended together. When the kernel refuses the loginuid
 * write (loginuid made immutable, not root), the command still runs and
 * `session` is undefined: callers fall back to following the PID tree.
 */
import { spawn } from 'node:child_process';

const PRELUDE = [
  'if echo 0 > /proc/self/loginuid 2>/dev/null; then read -r s < /proc/self/sessionid; echo "$s" >&3; fi',
  'exec 3>&-',
  'exec "$0" -c "$1"',
].join('\n');

export interface SessionRun {
  /** PID of the process (the prelude shell, then the executor it became). */
  pid: number;
  /** The audit session id, or undefined when none could be set. */
  session?: number;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall-clock ms when the process was started and when it ended. */
  startedAt: number;
  endedAt: number;
  timedOut: boolean;
}

export interface SessionOptions {
  /** Called as soon as the process exists, with its PID (before it runs the command). */
  onSpawn?(pid: number): void;
  /** Called when the session id is known (before the command runs, as the prelude writes it first). */
  onSession?(session: number | undefined): void;
  timeoutMs?: number;
  cwd?: string;
  /** Most output kept per stream (the rest is counted, not stored). */
  maxOutput?: number;
}

/** Runs `executor -c command` (sh, bash) in a new audit session; resolves when it has exited. */
export function runInAuditSession(executor: string, command: string, opts: SessionOptions = {}): Promise<SessionRun> {
  const maxOutput = opts.maxOutput ?? 64 * 1024;
  return new Promise((resolvePromise, reject) => {
    const startedAt = Date.now();
    const child = spawn('/bin/sh', ['-c', PRELUDE, executor, command], {
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      detached: true,
      cwd: opts.cwd,
    });
    const pid = child.pid;
    if (pid === undefined) {
      child.once('error', reject);
      return;
    }
    opts.onSpawn?.(pid);
    let sessionText = '';
    let sessionReported = false;
    const reportSession = (): void => {
      if (sessionReported) return;
      sessionReported = true;
      const n = Number(sessionText.trim());
      opts.onSession?.(sessionText.trim() !== '' && Number.isInteger(n) ? n : undefined);
    };
    const fd3 = child.stdio[3];
    fd3?.on('data', (d: Buffer) => (sessionText += d.toString('latin1')));
    fd3?.on('end', reportSession);
    const keep = (stream: NodeJS.ReadableStream | null): (() => string) => {
      let text = '';
      stream?.on('data', (d: Buffer) => {
        if (text.length < maxOutput) text += d.toString('utf8').slice(0, maxOutput - text.length);
      });
      return () => text;
    };
    const stdout = keep(child.stdout);
    const stderr = keep(child.stderr);
    let timedOut = false;
    const timer = opts.timeoutMs
      ? setTimeout(() => {
        timedOut = true;
        try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ }
      }, opts.timeoutMs)
      : undefined;
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      reportSession();
      const n = Number(sessionText.trim());
      resolvePromise({
        pid, session: sessionText.trim() !== '' && Number.isInteger(n) ? n : undefined,
        exitCode: code, signal, stdout: stdout(), stderr: stderr(), startedAt, endedAt: Date.now(), timedOut,
      });
    });
  });
}
