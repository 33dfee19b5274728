/**
 * The kernel's audit state through auditctl (the audit userspace tool):
 * status, the loaded rules, and one rule added or deleted. Synchronous on
 * purpose: cleanup must also work from a process 'exit' handler.
 */
import { spawnSync } from 'node:child_process';

export interface AuditctlResult {
  ok: boolean;
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Why kernel audit cannot be used here; thrown with a message that says what to do. */
export class AuditUnavailableError extends Error {}

export function auditctl(args: readonly string[]): AuditctlResult {
  const r = spawnSync('auditctl', args, { encoding: 'utf8', timeout: 10_000 });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new AuditUnavailableError('auditctl not found: install the audit userspace tools (Debian/Ubuntu: apt-get install auditd)');
    throw r.error;
  }
  return { ok: r.status === 0, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `auditctl -s` as name → value ("enabled" → "1", "pid" → "1234", "lost" → "0", …). */
export function auditStatus(): Map<string, string> {
  const r = auditctl(['-s']);
  if (!r.ok) {
    const why = (r.stderr || r.stdout).trim();
    const hint = process.getuid?.() === 0
      ? 'the kernel refuses audit requests here (no CAP_AUDIT_CONTROL, e.g. an unprivileged container, or audit disabled with audit=0)'
      : 'run as root';
    throw new AuditUnavailableError(`kernel audit is not available: ${why || `auditctl -s exited ${r.status}`}; ${hint}`);
  }
  const out = new Map<string, string>();
  for (const line of r.stdout.split('\n')) {
    const m = /^(\S+)\s+(\S+)/.exec(line);
    if (m) out.set(m[1], m[2]);
  }
  return out;
}

/** PID of the audit daemon the kernel sends records to; 0 when none is registered. */
export function auditDaemonPid(): number {
  return Number(auditStatus().get('pid') ?? 0);
}

/** The loaded rules as `auditctl -l` prints them (empty when none). */
export function listAuditRules(): string[] {
  const r = auditctl(['-l']);
  if (!r.ok) throw new AuditUnavailableError(`auditctl -l failed: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout.split('\n').map((l) => l.trim()).filter((l) => l !== '' && l !== 'No rules');
}
