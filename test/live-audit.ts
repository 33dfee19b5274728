/**
 * Shared by the tests that use the kernel's audit subsystem (watch.test.ts,
 * emulate.test.ts): the packages they need (installed with apt-get when
 * missing; CI runs as root on a fresh machine), a hard failure with the
 * reason when kernel audit is not usable, a lock so those files never run at
 * the same time (node --test runs files in parallel, and the audit rules and
 * the daemon are one per host), and a last-resort cleanup of Vigil's rules.
 */
import { aptInstall } from './apt.js';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** command → Debian package providing it. */
const NEEDED: readonly [string, string][] = [
  ['auditd', 'auditd'], ['auditctl', 'auditd'], ['netstat', 'net-tools'], ['lsof', 'lsof'], ['w', 'procps'],
  ['ss', 'iproute2'], ['ip', 'iproute2'], ['sockstat', 'sockstat'], ['ping', 'iputils-ping'],
];

function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Root and a kernel that accepts audit requests, else an Error saying why;
 * then the missing packages installed. Throws (fails the test) rather than
 * skipping: these tests are the proof that the live sensor works.
 */
export function prepareLiveAudit(): void {
  if (process.platform !== 'linux') throw new Error('the live audit tests need Linux (kernel audit)');
  if (process.getuid?.() !== 0) throw new Error('the live audit tests need root: they load audit rules and run auditd (CI runs npm test as root)');
  const missing = [...new Set(NEEDED.filter(([cmd]) => !have(cmd)).map(([, pkg]) => pkg))];
  if (missing.length) {
    if (!aptInstall(missing)) throw new Error(`apt-get install ${missing.join(' ')} failed`);
    const still = NEEDED.filter(([cmd]) => !have(cmd)).map(([cmd]) => cmd);
    if (still.length) throw new Error(`still missing after apt-get install: ${still.join(', ')}`);
  }
  const s = spawnSync('auditctl', ['-s'], { encoding: 'utf8' });
  if (s.status !== 0) {
    throw new Error(`kernel audit is not available here (auditctl -s: ${(s.stderr || s.stdout).trim()}); ` +
      'the live tests need CAP_AUDIT_CONTROL (root outside an unprivileged container) and a kernel with audit enabled');
  }
  if (/^enabled 2/m.test(s.stdout)) throw new Error('the audit configuration is locked (enabled 2): rules cannot be added until reboot');
}

export function auditRules(): string[] {
  const r = spawnSync('auditctl', ['-l'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`auditctl -l failed: ${r.stderr}`);
  return r.stdout.split('\n').map((l) => l.trim()).filter((l) => l && l !== 'No rules');
}

export function auditDaemonPid(): number {
  const m = /^pid (\d+)/m.exec(spawnSync('auditctl', ['-s'], { encoding: 'utf8' }).stdout);
  return m ? Number(m[1]) : 0;
}

/**
 * Deletes every Vigil rule (key vigil_t1049_*) loaded now that was not in
 * `before`, in the form auditctl -l prints it: for a test that failed
 * while Vigil was killed before its own cleanup.
 */
export function removeVigilRulesNotIn(before: readonly string[]): string[] {
  const removed: string[] = [];
  for (const rule of auditRules()) {
    if (before.includes(rule) || !rule.includes('vigil_t1049_')) continue;
    const words = rule.split(/\s+/);
    words[0] = words[0] === '-w' ? '-W' : '-d';
    spawnSync('auditctl', words, { stdio: 'ignore' });
    removed.push(rule);
  }
  return removed;
}

const LOCK = '/tmp/vigil-test-kernel-audit.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits until no other test process holds the kernel-audit lock, then takes it (a dead holder's lock is taken over). */
export async function acquireAuditLock(timeoutMs = 240_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(join(LOCK, 'pid'), String(process.pid));
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let holder = 0;
    try {
      holder = Number(readFileSync(join(LOCK, 'pid'), 'utf8'));
    } catch { /* being created or removed */ }
    if (holder && !alive(holder)) rmSync(LOCK, { recursive: true, force: true });
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${LOCK} (held by pid ${holder})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function releaseAuditLock(): void {
  try {
    if (Number(readFileSync(join(LOCK, 'pid'), 'utf8')) !== process.pid) return;
  } catch {
    return;
  }
  rmSync(LOCK, { recursive: true, force: true });
}
