/**
 * What `vigil emulate` will do: one step per Atomic test (run here, or
 * listed as not applicable with the log source that would show it), then
 * Vigil's own steps. Commands are final (inputs substituted) before
 * anything runs, so the report shows exactly what was executed.
 */
import type { AtomicTechnique, AtomicTest } from './atomic.js';
import { substituteInputs } from './substitute.js';
import { onPath } from './vigil-steps.js';

export interface Prereq {
  description: string;
  command: string;
  executor: string;
  /** What Atomic Red Team would run to satisfy it; never run by Vigil (it may install or download). */
  getPrereq?: string;
}

export interface PlannedStep {
  /** Stable id in reports: atomic-<n> (position in the file) or vigil-<name>. */
  id: string;
  source: 'atomic' | 'vigil';
  name: string;
  guid?: string;
  platforms: string[];
  executor: string;
  command: string;
  cleanup?: string;
  prereqs: Prereq[];
  applicable: boolean;
  /** Why not applicable here. */
  reason?: string;
  /** Where the activity would show, for a step not applicable here. */
  logSources?: string[];
  /** #{…} placeholders without a value (left as written). */
  unknownInputs: string[];
  /** Files the step needs, made in the work folder just before it runs; returns a problem, or undefined. */
  setup?(): string | undefined;
}

/** The executors Vigil runs here, each with the program that runs its command. */
export const LOCAL_EXECUTORS: Readonly<Record<string, string>> = { sh: 'sh', bash: 'bash' };

/**
 * The executor's program by absolute path: a bare name would make the
 * shell try every PATH folder, each failed execve one more audit event.
 */
export function executorPath(executor: string): string {
  const name = LOCAL_EXECUTORS[executor] ?? executor;
  return name === 'sh' ? '/bin/sh' : onPath(name) ?? name;
}

export function planAtomicSteps(atomics: AtomicTechnique, platform: string, overrides: ReadonlyMap<string, string>, atomicsFolder: string): PlannedStep[] {
  return atomics.tests.map((t) => planAtomicTest(t, platform, overrides, atomicsFolder));
}

function planAtomicTest(t: AtomicTest, platform: string, overrides: ReadonlyMap<string, string>, atomicsFolder: string): PlannedStep {
  const unknown = new Set<string>();
  const sub = (s: string): string => {
    const r = substituteInputs(s, t.inputDefaults, overrides, atomicsFolder);
    r.unknown.forEach((u) => unknown.add(u));
    return r.text;
  };
  const executor = t.executor.name.toLowerCase();
  const depExecutor = (t.dependencyExecutor ?? executor).toLowerCase();
  const onPlatform = t.platforms.includes(platform);
  let reason: string | undefined;
  if (!onPlatform) reason = `for ${t.platforms.join(', ')}; this host is ${platform}`;
  else if (!(executor in LOCAL_EXECUTORS)) reason = `executor '${executor}' is not run here (sh and bash are)`;
  else if (!t.executor.command) reason = 'the test has no command';
  else if (t.dependencies.length && !(depExecutor in LOCAL_EXECUTORS)) reason = `its prerequisites need executor '${depExecutor}'`;
  const step: PlannedStep = {
    id: `atomic-${t.index}`,
    source: 'atomic',
    name: t.name,
    guid: t.guid,
    platforms: t.platforms,
    executor,
    command: sub(t.executor.command ?? ''),
    cleanup: t.executor.cleanupCommand === undefined ? undefined : sub(t.executor.cleanupCommand),
    prereqs: t.dependencies.map((d) => ({
      description: sub(d.description).trim(),
      command: sub(d.prereqCommand),
      executor: depExecutor,
      getPrereq: d.getPrereqCommand === undefined ? undefined : sub(d.getPrereqCommand),
    })),
    applicable: reason === undefined,
    unknownInputs: [],
  };
  if (reason !== undefined) {
    step.reason = reason;
    step.logSources = logSourcesFor(t.platforms, executor);
  }
  step.unknownInputs = [...unknown];
  return step;
}

/**
 * The telemetry that would show a test Vigil cannot run here, per platform
 * it is written for (and the Vigil rules folder that reads it).
 */
export function logSourcesFor(platforms: readonly string[], executor: string): string[] {
  const out: string[] = [];
  for (const p of platforms) {
    switch (p) {
      case 'windows':
        if (executor === 'powershell') {
          out.push('Windows: PowerShell 4104 script block logging and 4103 module logging (rules/t1049/windows/get_nettcpconnection_*.yml, powerview_sessions_scriptblock.yml)',
            'Windows: Security 4688 with command line or Sysmon 1 for powershell.exe and the programs it starts');
        } else {
          out.push('Windows: Security 4688 with command line (audit process creation + "Include command line in process creation events") or Sysmon 1 (rules/t1049/windows/)');
        }
        break;
      case 'macos':
        out.push('macOS: Endpoint Security exec events (eslogger) or Elastic Endpoint process events (rules/t1049/macos/)');
        break;
      case 'linux':
        out.push('Linux: auditd execve records with the argv (rules/t1049/linux/)');
        break;
      case 'freebsd':
        out.push('FreeBSD: audit trail execve records, praudit -x (rules/t1049/freebsd/)');
        break;
      default:
        out.push(`${p}: the platform's process-execution or API audit log`);
    }
  }
  return out;
}
