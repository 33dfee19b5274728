/**
 * The live Linux sensor: kernel audit → assembled audit events, as they happen.
 *
 *   start(): root? audit usable? ─▶ reuse the running auditd (its log file) or start a private one
 *            ─▶ add the pack's audit rules (rules/auditd/vigil-t1049.rules), noting which were ours
 *            ─▶ follow the log from its current end (FileFollower: rotation, truncation, restarts)
 *   every poll: new bytes ─▶ AuditdStream ─▶ onEvent(assembled event)
 *               events that got no record for idleMs ─▶ emitted (auditd logs no EOE for most events)
 *   stop():  read what is left ─▶ delete exactly the rules we added ─▶ stop the auditd we started
 *
 * Cleanup is idempotent and also runs from the process 'exit' handler, so
 * an exception or an exit elsewhere still leaves the kernel as we found it.
 */
import { AuditdStream } from '../sources/auditd/index.js';
import type { AuditEventJson } from '../sources/auditd/index.js';
import { FileFollower } from '../sources/follow-file.js';
import { auditDaemonPid, auditStatus, AuditUnavailableError } from './auditctl.js';
import { installAuditRules, readAuditRuleFile, removeAuditRules, VIGIL_AUDIT_RULES, type AuditRuleLine, type RuleInstall } from './audit-rules.js';
import { followOnly, reuseRunningAuditd, startPrivateAuditd, type AuditDaemon } from './auditd.js';

export interface SensorOptions {
  /** Audit rule file (default: the pack's rules/auditd/vigil-t1049.rules). */
  rulesFile?: string;
  /** Follow this log instead of the running auditd's configured one. */
  auditLog?: string;
  /** Where a private auditd keeps its configuration and log (kept afterwards); default a temporary folder. */
  auditDir?: string;
  /** Milliseconds without a new record after which an event is taken as complete (default 150). */
  idleMs?: number;
  /** Milliseconds between reads of the log (default 25). */
  pollMs?: number;
}

export interface SensorOutput {
  event(obj: AuditEventJson, line: number): void;
  error(message: string): void;
  /** Something the operator should know (rotation seen, daemon gone, …). */
  note(message: string): void;
}

export interface SensorInfo {
  daemon: { pid: number; startedByVigil: boolean; logFile: string };
  rules: { added: string[]; preexisting: string[]; refused: { rule: string; message: string }[] };
  /** Records the kernel could not queue (`lost` in auditctl -s) when the sensor started. */
  lostAtStart: number;
}

export interface SensorStopReport {
  /** Rules we added that could not be deleted (should be empty). */
  leftBehind: { rule: string; message: string }[];
  /** Records the kernel dropped while the sensor ran (backlog overflow, rate limit). */
  lost: number;
  bytes: number;
  rotations: number;
  truncations: number;
}

export class AuditSensor {
  private daemon: AuditDaemon | undefined;
  private install: RuleInstall | undefined;
  private follower: FileFollower | undefined;
  private stream: AuditdStream | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private lostAtStart = 0;
  private cleaned = false;
  private readonly exitHandler = (): void => this.cleanupNow();
  private daemonGoneNoted = false;

  constructor(
    private readonly out: SensorOutput,
    private readonly opts: SensorOptions = {},
  ) {}

  async start(): Promise<SensorInfo> {
    if (process.platform !== 'linux') throw new AuditUnavailableError('the live sensor needs Linux kernel audit');
    if (process.getuid?.() !== 0) throw new AuditUnavailableError('the live sensor needs root (it loads audit rules and reads the audit log)');
    const rules: AuditRuleLine[] = readAuditRuleFile(this.opts.rulesFile ?? VIGIL_AUDIT_RULES);
    const status = auditStatus(); // throws a clear error when the kernel refuses audit requests
    if (status.get('enabled') === '0') this.out.note('kernel audit was disabled (enabled 0); an audit daemon enables it when it starts');
    this.lostAtStart = Number(status.get('lost') ?? 0);
    process.once('exit', this.exitHandler);
    try {
      const log = this.opts.auditLog;
      this.daemon = reuseRunningAuditd(log) ?? (log ? followOnly(log) : await startPrivateAuditd(this.opts.auditDir));
      if (this.daemon.pid === 0) this.out.note(`no audit daemon is registered with the kernel: following ${log} as given, nothing is started`);
      this.install = installAuditRules(rules);
      const idleMs = this.opts.idleMs ?? 150;
      const stream = new AuditdStream({
        event: (obj, line) => this.out.event(obj, line),
        error: (message, line) => this.out.error(`${this.daemon?.logFile}${line ? `:${line}` : ''}: ${message}`),
      });
      this.stream = stream;
      let lastByte = 10;
      this.follower = new FileFollower(this.daemon.logFile, {
        data: (chunk) => {
          stream.write(chunk);
          lastByte = chunk[chunk.length - 1];
        },
        switched: (why) => {
          // A half-written last line of the old file must not glue onto the new file's first.
          if (lastByte !== 10) stream.write(Buffer.from('\n'));
          lastByte = 10;
          this.out.note(`audit log ${why}: following ${this.daemon?.logFile} from its start`);
        },
        error: (m) => this.out.error(m),
      }, { pollMs: this.opts.pollMs ?? 25 });
      this.follower.start();
      this.idleTimer = setInterval(() => stream.flushIdle(idleMs), Math.max(10, Math.min(25, Math.floor(idleMs / 4))));
      this.watchdog = setInterval(() => this.checkDaemon(), 2000);
    } catch (e) {
      this.cleanupNow();
      throw e;
    }
    return this.info();
  }

  info(): SensorInfo {
    const d = this.daemon;
    const i = this.install;
    return {
      daemon: { pid: d?.pid ?? 0, startedByVigil: d?.startedByVigil ?? false, logFile: d?.logFile ?? '' },
      rules: {
        added: i?.added.map((r) => r.text) ?? [],
        preexisting: i?.preexisting.map((r) => r.text) ?? [],
        refused: i?.refused.map((r) => ({ rule: r.rule.text, message: r.message })) ?? [],
      },
      lostAtStart: this.lostAtStart,
    };
  }

  /** Reads the log up to now and emits the events that are complete (idle for idleMs). */
  pollNow(): void {
    this.follower?.poll();
  }

  /** Reads what is left, emits every open event, removes our rules, stops our auditd. */
  async stop(): Promise<SensorStopReport> {
    if (this.idleTimer) clearInterval(this.idleTimer);
    if (this.watchdog) clearInterval(this.watchdog);
    this.follower?.stop();
    this.stream?.end();
    let lost = 0;
    try {
      lost = Number(auditStatus().get('lost') ?? 0) - this.lostAtStart;
    } catch { /* reported by the cleanup if audit is gone */ }
    const leftBehind = this.removeRules();
    await this.daemon?.stop();
    this.finishCleanup();
    const st = this.follower?.stats;
    return { leftBehind, lost: Math.max(0, lost), bytes: st?.bytes ?? 0, rotations: st?.rotations ?? 0, truncations: st?.truncations ?? 0 };
  }

  /** Synchronous last-resort cleanup (process exit): rules out, our auditd signalled. */
  cleanupNow(): void {
    if (this.cleaned) return;
    if (this.idleTimer) clearInterval(this.idleTimer);
    if (this.watchdog) clearInterval(this.watchdog);
    for (const f of this.removeRules()) process.stderr.write(`vigil: could not remove audit rule '${f.rule}': ${f.message}\n`);
    this.daemon?.stopNow();
    this.finishCleanup();
  }

  private removeRules(): { rule: string; message: string }[] {
    const added = this.install?.added ?? [];
    if (this.install) this.install = { ...this.install, added: [] };
    return removeAuditRules(added).map((f) => ({ rule: f.rule.text, message: f.message }));
  }

  private finishCleanup(): void {
    this.cleaned = true;
    process.removeListener('exit', this.exitHandler);
  }

  /**
   * Without a registered daemon the kernel sends records to its own log
   * (printk) and the file stops growing: say so once, and again when a
   * daemon is back. Checks /proc first so a healthy daemon costs no exec.
   */
  private checkDaemon(): void {
    const d = this.daemon;
    if (d && d.pid > 0 && !this.daemonGoneNoted) {
      try {
        process.kill(d.pid, 0);
        return;
      } catch { /* gone: ask the kernel who is registered now */ }
    }
    let pid = 0;
    try {
      pid = auditDaemonPid();
    } catch {
      return;
    }
    if (pid === 0 && !this.daemonGoneNoted) {
      this.daemonGoneNoted = true;
      this.out.note('no audit daemon is registered with the kernel: no events reach the log until one (re)starts');
    } else if (pid !== 0 && this.daemonGoneNoted) {
      this.daemonGoneNoted = false;
      this.out.note(`audit daemon back (pid ${pid})`);
    }
    if (pid !== 0 && d && !d.startedByVigil) this.daemon = { ...d, pid };
  }
}
