/** The emulation report for a terminal: one block per step, then the summary. */
import { terminalSafe } from '../sinks/terminal-safe.js';
import type { EmulationReport, StepResult } from './runner.js';

export function formatEmulationTable(r: EmulationReport): string {
  const lines: string[] = [];
  lines.push(`${r.technique} ${r.display_name} — ${r.platform}, host ${terminalSafe(r.host)}`);
  lines.push(`atomics:   ${r.atomics ? terminalSafe(r.atomics) : '(none: Vigil steps only)'}`);
  const s = r.sensor;
  lines.push(`sensor:    ${s.daemon.startedByVigil ? 'started' : 'reused'} auditd (pid ${s.daemon.pid}), log ${terminalSafe(s.daemon.logFile)}; ` +
    `audit rules ${s.rules.added.length} added, ${s.rules.preexisting.length} already present, ${s.rules.refused.length} refused`);
  lines.push('');
  for (const step of r.steps) lines.push(...stepBlock(step), '');
  const m = r.summary;
  lines.push(`summary:   ${m.applicable} applicable, ${m.executed} executed, ${m.detected} detected` +
    (m.not_detected.length ? ` (NOT detected: ${m.not_detected.join(', ')})` : '') + `; ${m.not_applicable} not applicable here`);
  lines.push(`           time to alert (step start → first alert): ${ms(m.time_to_alert.median_ms)} median, ${ms(m.time_to_alert.max_ms)} max`);
  lines.push(`           alert latency (syscall timestamp → alert): ${ms(m.alert_latency.median_ms)} median, ${ms(m.alert_latency.max_ms)} max over ${m.alert_latency.count} alerts`);
  if (m.unattributed_alerts) lines.push(`           ${m.unattributed_alerts} alerts on other activity of the host meanwhile (not counted)`);
  if (m.lost_records) lines.push(`           the kernel dropped ${m.lost_records} audit records meanwhile`);
  if (m.audit_rules_left_behind.length) lines.push(`           AUDIT RULES LEFT BEHIND: ${m.audit_rules_left_behind.join('; ')}`);
  lines.push(`result:    ${r.ok ? 'every applicable step detected' : 'FAILED'}`);
  return lines.join('\n') + '\n';
}

function stepBlock(step: StepResult): string[] {
  const status = !step.applicable ? 'not applicable'
    : !step.executed ? 'NOT EXECUTED'
      : step.detected ? `detected in ${ms(step.time_to_alert_ms ?? null)}` : 'NOT DETECTED';
  const out = [`[${step.id}] ${terminalSafe(step.name)} — ${status}`];
  const field = (name: string, value: string): void => {
    const [first, ...rest] = value.split('\n').map(terminalSafe);
    out.push(`    ${name.padEnd(13)} ${first}`);
    for (const l of rest) out.push(`    ${''.padEnd(13)} ${l}`);
  };
  if (!step.applicable) {
    field('why', step.reason ?? '');
    field('would show in', (step.log_sources ?? []).join('\n'));
    return out;
  }
  field('command', step.command);
  if (step.unknown_inputs?.length) field('unset inputs', step.unknown_inputs.join(', '));
  for (const p of step.prereqs ?? []) field('prerequisite', `${p.met ? 'met' : 'NOT met'}: ${p.description}`);
  if (!step.executed) {
    field('not run', step.not_executed_reason ?? '');
    return out;
  }
  field('executed', `exit ${step.exit_code ?? `signal ${step.signal}`}${step.timed_out ? ' (timed out)' : ''}, ` +
    `${step.session === null ? 'no audit session (PID tree)' : `audit session ${step.session}`}, ${ms(step.duration_ms ?? null)}`);
  const t = step.telemetry;
  if (t) {
    const keys = Object.entries(t.by_key).map(([k, n]) => `${k} ${n}`).join(', ');
    field('telemetry', `${t.events} audit events, ${t.records} records${keys ? ` (${keys})` : ''}${t.complete ? '' : ' — barrier not seen, may be incomplete'}`);
  }
  const byRule = new Map<string, { title: string; n: number; first: number }>();
  for (const a of step.alerts) {
    const k = a.rule_id ?? a.title;
    const e = byRule.get(k);
    if (e) e.n++;
    else byRule.set(k, { title: a.title, n: 1, first: a.time_to_alert_ms });
  }
  field('detected by', byRule.size
    ? [...byRule].map(([id, e]) => `${id} ${e.title} ×${e.n} (first after ${ms(e.first)})`).join('\n')
    : '(no alert)');
  return out;
}

function ms(v: number | null): string {
  return v === null ? '-' : `${Math.round(v)} ms`;
}
