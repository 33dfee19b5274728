/**
 * Which step an audit event belongs to. Each step runs in its own audit
 * session (src/sensor/session.ts), so the primary test is exact and cheap:
 *
 *   SYSCALL.ses equals the step's session id. The kernel gives every
 *   process the session of its parent, so the step's whole process tree
 *   (pipelines, subshells, children of children) carries it, and nothing
 *   else on the host does: session ids are never reused before a reboot.
 *   Not counted: the harness's exec of its prelude shell (before the
 *   session exists) and the prelude's write to loginuid (a LOGIN record).
 *
 * When no session could be set (loginuid immutable), the fallback follows
 * the process tree while the step runs: the step's first PID, then every
 * process whose parent is already known. That needs a parent's exec to be
 * seen before its children's, which holds for the audit log's order, but
 * a process that never execs (a forked subshell) is only known through its
 * children's ppid, so a grandchild of such a subshell can be missed.
 * A time window alone was rejected: the execve rule records the whole
 * host, and anything else running at the same moment would be counted.
 */
export interface AuditIdentity {
  ses?: number;
  pid?: number;
  ppid?: number;
}

/** The acting process of an assembled audit event (its SYSCALL record). */
export function identityOf(obj: unknown): AuditIdentity {
  const sys = typeof obj === 'object' && obj !== null ? (obj as Record<string, unknown>)['SYSCALL'] : undefined;
  if (typeof sys !== 'object' || sys === null) return {};
  const s = sys as Record<string, unknown>;
  const num = (v: unknown): number | undefined => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : typeof v === 'number' ? v : undefined);
  return { ses: num(s['ses']), pid: num(s['pid']), ppid: num(s['ppid']) };
}

export class StepMatcher<T> {
  private readonly bySession = new Map<number, { step: T; root: number }>();
  private current: { step: T; root: number; pids: Set<number>; session?: number } | undefined;

  /** A step starts: its root PID (known at spawn); its session follows once the prelude reports it. */
  begin(step: T, rootPid: number): void {
    this.current = { step, root: rootPid, pids: new Set([rootPid]) };
  }

  session(step: T, session: number): void {
    const c = this.current;
    if (c?.step === step) c.session = session;
    this.bySession.set(session, { step, root: c?.step === step ? c.root : -1 });
  }

  /** The step has ended and its telemetry is in: stop following its process tree. */
  end(): void {
    this.current = undefined;
  }

  match(obj: unknown): T | undefined {
    const id = identityOf(obj);
    if (id.ses !== undefined) {
      const s = this.bySession.get(id.ses);
      // The harness's own write to loginuid (a LOGIN record) opened the session; it is not the step's doing.
      if (s !== undefined) return s.root === id.pid && hasRecord(obj, 'LOGIN') ? undefined : s.step;
    }
    const c = this.current;
    // With a session, the test above is exact; the PID tree is only the fallback without one.
    if (!c || c.session !== undefined || id.pid === undefined) return undefined;
    if (c.pids.has(id.pid)) return c.step;
    if (id.ppid !== undefined && c.pids.has(id.ppid)) {
      c.pids.add(id.pid);
      return c.step;
    }
    return undefined;
  }
}

function hasRecord(obj: unknown, type: string): boolean {
  return typeof obj === 'object' && obj !== null && type in obj;
}
