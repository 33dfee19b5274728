/**
 * The emulation loop: run each step under the live sensor and see what the
 * rules make of it.
 *
 *   AuditSensor ─events─▶ StepMatcher (ses / PID tree) ─▶ step telemetry counts
 *        │                        └─▶ LiveDetection (the hunt pipeline) ─▶ alert ─▶ its event's step
 *        └─ barrier: after a step exits, `true <marker>` is run; once its execve
 *           comes out of the log, every record the step caused has been read
 *           and evaluated (the kernel queues records in order and the step
 *           has exited), so counts and alerts are final without a fixed wait.
 *
 * Per step: setup (files in the work folder) → prerequisites (each in its
 * own audit session, not counted) → the command in its own audit session →
 * barrier → cleanup_command if the test has one. Everything in the work
 * folder (scripts, the renamed binary) is removed at the end; the sensor
 * removes its audit rules and stops the auditd it started.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Detector } from '../detect/engine.js';
import { LiveDetection, type LiveAlert } from '../pipeline/live.js';
import { summarizeLatencies, type LatencySummary } from '../pipeline/latency.js';
import { AuditSensor, type SensorInfo, type SensorOptions } from '../sensor/audit-sensor.js';
import { runInAuditSession } from '../sensor/session.js';
import type { AtomicSource } from './atomic.js';
import { StepMatcher } from './attribution.js';
import { executorPath, planAtomicSteps, type PlannedStep } from './plan.js';
import { onPath, vigilSteps } from './vigil-steps.js';

export interface EmulateOptions {
  technique: string;
  /** The Atomic definitions to run, or undefined to run Vigil's own steps only. */
  atomics?: AtomicSource;
  /** Input argument overrides (name → value) for every Atomic test. */
  inputs: ReadonlyMap<string, string>;
  detector: Detector;
  sensor?: SensorOptions;
  /** A step still running after this many ms is killed (default 60 s). */
  stepTimeoutMs?: number;
  /** How long to wait for a step's barrier before reporting its telemetry as incomplete (default 10 s). */
  barrierTimeoutMs?: number;
  progress?(message: string): void;
}

export interface StepAlert {
  rule_id?: string;
  title: string;
  level?: string;
  t1049: boolean;
  /** From the step's start to this alert being raised. */
  time_to_alert_ms: number;
  /** From the audited syscall's kernel timestamp to the alert. */
  latency_ms?: number;
  image?: string;
  command_line?: string;
}

/** A planned step's identity as reported, with what running it showed. */
export interface StepResult extends Pick<PlannedStep, 'id' | 'source' | 'name' | 'guid' | 'platforms' | 'executor' | 'command' | 'applicable' | 'reason'> {
  log_sources?: string[];
  unknown_inputs?: string[];
  prereqs?: { description: string; command: string; met: boolean; exit_code: number | null; get_prereq_command?: string }[];
  executed: boolean;
  not_executed_reason?: string;
  exit_code?: number | null;
  signal?: string | null;
  timed_out?: boolean;
  /** The audit session the step ran in (null: none could be set; attributed by PID tree). */
  session?: number | null;
  duration_ms?: number;
  telemetry?: { events: number; records: number; by_key: Record<string, number>; complete: boolean };
  /** Ids of the T1049 rules that fired on the step's events. */
  detected_by: string[];
  alerts: StepAlert[];
  /** Step start → first T1049 alert. */
  time_to_alert_ms?: number | null;
  /** null when not applicable here. */
  detected: boolean | null;
}

export interface EmulationReport {
  technique: string;
  display_name: string;
  platform: string;
  host: string;
  atomics: string | null;
  started_at: string;
  sensor: SensorInfo;
  steps: StepResult[];
  summary: {
    applicable: number;
    executed: number;
    detected: number;
    not_detected: string[];
    not_applicable: number;
    time_to_alert: LatencySummary;
    alert_latency: LatencySummary;
    /** Alerts on events no step caused (other activity on the host meanwhile). */
    unattributed_alerts: number;
    lost_records: number;
    audit_rules_left_behind: string[];
  };
  ok: boolean;
}

interface StepState {
  result: StepResult;
  startedAt: number;
}

/** By absolute path: a PATH search would add a failed execve per folder to the log. */
const TRUE = onPath('true') ?? '/bin/true';

const TECHNIQUE_TAG = (technique: string): string => `attack.${technique.toLowerCase()}`;

export async function runEmulation(opts: EmulateOptions): Promise<EmulationReport> {
  const say = opts.progress ?? (() => {});
  const platform = 'linux';
  const startedAt = new Date().toISOString();
  const work = mkdtempSync(join(tmpdir(), 'vigil-emulate-'));
  const steps: PlannedStep[] = [
    ...(opts.atomics ? planAtomicSteps(opts.atomics.technique, platform, opts.inputs, opts.atomics.folder) : []),
    ...vigilSteps(opts.technique, work),
  ];
  const tag = TECHNIQUE_TAG(opts.technique);
  const matcher = new StepMatcher<StepState>();
  const stepOfEvent = new WeakMap<object, StepState>();
  const barriers = new Map<string, () => void>();
  let unattributed = 0;
  let live: LiveDetection | undefined;

  const sensor = new AuditSensor({
    event: (obj, line) => {
      const argv = (obj['EXECVE'] as { ARGV?: unknown[] } | undefined)?.ARGV;
      const marker = Array.isArray(argv) && typeof argv[1] === 'string' ? barriers.get(argv[1]) : undefined;
      const st = matcher.match(obj);
      if (st?.result.telemetry) {
        const t = st.result.telemetry;
        t.events++;
        t.records += recordCount(obj);
        const key = (obj['SYSCALL'] as { key?: unknown } | undefined)?.key;
        const k = typeof key === 'string' ? key : '(no key)';
        t.by_key[k] = (t.by_key[k] ?? 0) + 1;
        stepOfEvent.set(obj, st);
      }
      live?.push(obj, line);
      marker?.();
    },
    error: (m) => say(`audit log: ${m}`),
    note: (m) => say(m),
  }, opts.sensor);

  let info: SensorInfo;
  try {
    info = await sensor.start();
  } catch (e) {
    rmSync(work, { recursive: true, force: true });
    throw e;
  }
  live = new LiveDetection(opts.detector, {
    onAlert: (a: LiveAlert) => {
      const st = a.event !== null && typeof a.event === 'object' ? stepOfEvent.get(a.event) : undefined;
      if (!st) {
        unattributed++;
        return;
      }
      const ev = a.event as Record<string, unknown>;
      st.result.alerts.push({
        rule_id: a.rule.id, title: a.rule.title, level: a.rule.level, t1049: a.rule.tags.map((x) => x.toLowerCase()).includes(tag),
        time_to_alert_ms: Date.now() - st.startedAt, latency_ms: a.latency_ms,
        image: stringAt(ev, 'SYSCALL', 'exe'), command_line: commandLineOf(ev),
      });
    },
    onError: (m, record) => say(`audit log:${record ?? ''}: ${m}`),
  }, { source: info.daemon.logFile });
  say(`${info.daemon.startedByVigil ? 'started auditd' : 'reusing auditd'} (pid ${info.daemon.pid}), log ${info.daemon.logFile}; ` +
    `audit rules ${info.rules.added.length} added, ${info.rules.preexisting.length} already present`);

  const nonce = randomBytes(6).toString('hex');
  let barrierNo = 0;
  /** Resolves true when the marker's execve has been read and evaluated. */
  const barrier = async (): Promise<boolean> => {
    const marker = `vigil-emulate-barrier-${nonce}-${++barrierNo}`;
    const seen = new Promise<boolean>((res) => {
      const timer = setTimeout(() => { barriers.delete(marker); res(false); }, opts.barrierTimeoutMs ?? 10_000);
      barriers.set(marker, () => { clearTimeout(timer); barriers.delete(marker); res(true); });
    });
    await new Promise<void>((res) => spawn(TRUE, [marker], { stdio: 'ignore' }).once('close', () => res()).once('error', () => res()));
    return seen;
  };

  const results: StepResult[] = [];
  let stopReport;
  // Death by a signal skips 'finally' and Node's 'exit' event alike: turn it into an exit, so
  // the sensor's exit handler removes the audit rules and stops the auditd it started.
  const onSignal = (signal: NodeJS.Signals): void => {
    rmSync(work, { recursive: true, force: true });
    process.exit(128 + (signal === 'SIGHUP' ? 1 : signal === 'SIGINT' ? 2 : 15));
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const sig of signals) process.once(sig, onSignal);
  try {
    for (const step of steps) results.push(await runStep(step));
  } finally {
    live.finish();
    // Still under the signal handlers: a Ctrl-C while stopping ends in the exit handler's cleanup.
    stopReport = await sensor.stop();
    for (const sig of signals) process.removeListener(sig, onSignal);
    rmSync(work, { recursive: true, force: true });
  }

  async function runStep(step: PlannedStep): Promise<StepResult> {
    const result: StepResult = {
      id: step.id, source: step.source, name: step.name, guid: step.guid, platforms: step.platforms, executor: step.executor,
      command: step.command.trimEnd(), applicable: step.applicable, executed: false, detected_by: [], alerts: [], detected: null,
    };
    if (step.unknownInputs.length) result.unknown_inputs = step.unknownInputs;
    if (!step.applicable) {
      result.reason = step.reason;
      result.log_sources = step.logSources;
      say(`${step.id}: not applicable (${step.reason})`);
      return result;
    }
    result.detected = false;
    const problem = step.setup?.();
    if (problem) {
      result.not_executed_reason = `setup failed: ${problem}`;
      return result;
    }
    result.prereqs = [];
    for (const p of step.prereqs) {
      const r = await runInAuditSession(executorPath(p.executor), p.command, { timeoutMs: 30_000 });
      const met = r.exitCode === 0;
      result.prereqs.push({ description: p.description, command: p.command.trimEnd(), met, exit_code: r.exitCode, get_prereq_command: p.getPrereq?.trimEnd() });
      if (!met) {
        result.not_executed_reason = `prerequisite not met: ${p.description}` +
          (p.getPrereq ? ` (its get_prereq_command is not run by Vigil: ${p.getPrereq.trim()})` : '');
        say(`${step.id}: ${result.not_executed_reason}`);
        return result;
      }
    }
    const state: StepState = { result, startedAt: Date.now() };
    result.telemetry = { events: 0, records: 0, by_key: {}, complete: false };
    say(`${step.id}: ${step.name}`);
    const run = await runInAuditSession(executorPath(step.executor), step.command, {
      timeoutMs: opts.stepTimeoutMs ?? 60_000,
      onSpawn: (pid) => {
        state.startedAt = Date.now();
        matcher.begin(state, pid);
      },
      onSession: (ses) => {
        if (ses !== undefined) matcher.session(state, ses);
      },
    });
    result.executed = true;
    result.exit_code = run.exitCode;
    result.signal = run.signal;
    if (run.timedOut) result.timed_out = true;
    result.session = run.session ?? null;
    result.duration_ms = run.endedAt - state.startedAt;
    result.telemetry.complete = await barrier();
    matcher.end();
    if (step.cleanup?.trim()) await runInAuditSession(executorPath(step.executor), step.cleanup, { timeoutMs: 30_000 });
    const hits = result.alerts.filter((a) => a.t1049);
    result.detected_by = [...new Set(hits.map((a) => a.rule_id ?? a.title))];
    result.detected = hits.length > 0;
    result.time_to_alert_ms = hits.length ? Math.min(...hits.map((a) => a.time_to_alert_ms)) : null;
    return result;
  }

  const applicable = results.filter((r) => r.applicable);
  const ttas = applicable.map((r) => r.time_to_alert_ms).filter((x): x is number => typeof x === 'number');
  const latencies = applicable.flatMap((r) => r.alerts.filter((a) => a.t1049).map((a) => a.latency_ms)).filter((x): x is number => typeof x === 'number');
  const notDetected = applicable.filter((r) => !r.detected).map((r) => r.id);
  return {
    technique: opts.technique,
    display_name: opts.atomics?.technique.displayName ?? opts.technique,
    platform,
    host: hostname(),
    atomics: opts.atomics?.technique.file ?? null,
    started_at: startedAt,
    sensor: info,
    steps: results,
    summary: {
      applicable: applicable.length,
      executed: applicable.filter((r) => r.executed).length,
      detected: applicable.length - notDetected.length,
      not_detected: notDetected,
      not_applicable: results.length - applicable.length,
      time_to_alert: summarizeLatencies(ttas),
      alert_latency: summarizeLatencies(latencies),
      unattributed_alerts: unattributed,
      lost_records: stopReport.lost,
      audit_rules_left_behind: stopReport.leftBehind.map((l) => l.rule),
    },
    ok: applicable.length > 0 && notDetected.length === 0 && stopReport.leftBehind.length === 0,
  };
}

/** Audit records in an assembled event: one per object member (EXECVE counts once, merged), one per list entry. */
function recordCount(obj: Record<string, unknown>): number {
  let n = 0;
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'ID' || k === 'NODE') continue;
    if (Array.isArray(v)) n += v.length;
    else if (v !== null && typeof v === 'object') n++;
  }
  return n;
}

function stringAt(obj: Record<string, unknown>, rec: string, key: string): string | undefined {
  const r = obj[rec];
  if (typeof r !== 'object' || r === null) return undefined;
  const v = (r as Record<string, unknown>)[key];
  return typeof v === 'string' ? v : undefined;
}

function commandLineOf(obj: Record<string, unknown>): string | undefined {
  for (const rec of ['EXECVE', 'PROCTITLE']) {
    const argv = (obj[rec] as { ARGV?: unknown } | undefined)?.ARGV;
    if (Array.isArray(argv)) return argv.map((a) => String(a ?? '')).join(' ');
  }
  return undefined;
}
