/** The coverage report as text for a terminal: one block per host, gaps with their fix. Log text is made terminal-safe. */
import { terminalSafe } from '../sinks/terminal-safe.js';
import type { CoverageReport, HostReport, RuleStatus, SourceReport } from './report.js';

const INDENT = '            ';

export function renderTable(report: CoverageReport): string {
  const out: string[] = [];
  const names = Object.keys(report.hosts);
  if (names.length === 0) out.push('No events were read.');
  for (const name of names) out.push(...hostBlock(name, report.hosts[name]), '');
  if (report.unassessedRules.length) {
    out.push(`Rules whose data sources vigil coverage does not know (not assessed): ${list(report.unassessedRules)}`);
  }
  return out.join('\n').trimEnd() + '\n';
}

function hostBlock(name: string, h: HostReport): string[] {
  const span = h.firstEvent ? `, ${h.firstEvent} to ${h.lastEvent}` : '';
  const platforms = h.platforms.length ? h.platforms.join(', ') : 'no recognized platform';
  const lines = [`${terminalSafe(name)}  (${platforms}; ${count(h.events, 'event')}${span}; ${count(h.files, 'file')})`];
  if (h.unrecognizedEvents) {
    lines.push(`  ${count(h.unrecognizedEvents, 'event')} in a format no normalizer recognizes: they count toward no data source`);
  }
  for (const s of Object.values(h.dataSources)) lines.push(...sourceLines(s));
  lines.push(...ruleLines(h));
  return lines;
}

function sourceLines(s: SourceReport): string[] {
  const head = `  ${s.status.padEnd(9)} ${s.title.padEnd(52)} ${s.events ? count(s.events, 'event') : ''}`.trimEnd();
  const lines = [head];
  for (const p of s.problems) {
    lines.push(`${INDENT}${p.problem} (${p.eventsOff} of ${count(p.eventsJudged, 'event')}); affects: ${list(p.rules)}`);
  }
  if (s.fix) lines.push(`${INDENT}fix: ${s.fix}`);
  if (s.status === 'missing') {
    const by = s.neededBy.length ? list(s.neededBy) : 'no loaded rule';
    lines.push(`${INDENT}needed by: ${by}${s.why ? ` (and the ADS: ${s.why})` : ''}`);
  }
  if (s.note) lines.push(`${INDENT}note: ${s.note}`);
  return lines;
}

function ruleLines(h: HostReport): string[] {
  if (h.rules.length === 0) return [];
  const by = (status: RuleStatus): string[] => h.rules.filter((r) => r.status === status).map((r) => r.rule);
  const covered = by('covered');
  const impaired = by('impaired');
  const blind = by('blind');
  const lines = [`  rules: ${covered.length} covered, ${impaired.length} impaired, ${blind.length} blind`];
  if (impaired.length) lines.push(`    impaired: ${list(impaired)}`);
  if (blind.length) lines.push(`    blind: ${list(blind)}`);
  return lines;
}

function count(n: number, noun: string): string {
  return `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;
}

/** Rule titles come from rule files the user may have been handed: printed terminal-safe too. */
function list(titles: readonly string[]): string {
  return titles.map(terminalSafe).join('; ');
}
