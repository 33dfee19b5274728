/**
 * The coverage report: per host, each data source the loaded rules read on
 * that host's platforms — present, degraded (collected, but a setting the
 * rules depend on is off) or missing — with the fix, and what that means for
 * each rule (covered, impaired, blind). This object is the JSON output.
 */
import type { DataSource } from './data-source.js';
import type { RuleNeed } from './rule-needs.js';
import type { CoverageTally, HostTally } from './tally.js';

export type SourceStatus = 'present' | 'degraded' | 'missing';
/** covered: a source it reads is usable; impaired: only degraded ones, in a field it reads; blind: none collected. */
export type RuleStatus = 'covered' | 'impaired' | 'blind';

export interface SourceProblem {
  problem: string;
  fix: string;
  /** Events that showed the setting off, of those that could tell. */
  eventsOff: number;
  eventsJudged: number;
  /** Titles of the rules that read what is missing. */
  rules: string[];
}

export interface SourceReport {
  title: string;
  status: SourceStatus;
  events: number;
  /** What to change; null when present. */
  fix: string | null;
  problems: SourceProblem[];
  /** Titles of the loaded rules (and correlations) that read the source. */
  neededBy: string[];
  /** Why the ADS wants it beyond the loaded rules. */
  why?: string;
  note?: string;
}

export interface RuleCoverage {
  rule: string;
  id?: string;
  status: RuleStatus;
}

export interface HostReport {
  platforms: string[];
  events: number;
  /** Events no normalizer recognized (no product): they count toward no data source. */
  unrecognizedEvents: number;
  files: number;
  firstEvent?: string;
  lastEvent?: string;
  dataSources: Record<string, SourceReport>;
  rules: RuleCoverage[];
}

export interface CoverageReport {
  hosts: Record<string, HostReport>;
  /** Loaded rules that read none of the data sources Vigil knows how to check. */
  unassessedRules: string[];
}

export interface ReportOptions {
  /** Also report sources no loaded rule reads but the ADS wants (`why`): true with the built-in pack. */
  adsSources: boolean;
}

export function buildReport(tally: CoverageTally, needs: readonly RuleNeed[], opts: ReportOptions): CoverageReport {
  const hosts: Record<string, HostReport> = {};
  for (const name of [...tally.hosts.keys()].sort()) hosts[name] = hostReport(tally.hosts.get(name)!, tally.sources, needs, opts);
  return {
    hosts,
    unassessedRules: needs.filter((n) => n.kind === 'rule' && n.sources.size === 0).map((n) => n.title),
  };
}

interface Assessed {
  source: DataSource;
  report: SourceReport;
  /** Rules a failed check hurts. */
  hurt: Set<RuleNeed>;
}

function hostReport(host: HostTally, sources: readonly DataSource[], needs: readonly RuleNeed[], opts: ReportOptions): HostReport {
  const assessed: Assessed[] = [];
  sources.forEach((source, i) => {
    if (!host.products.has(source.logsource.product)) return;
    const readers = needs.filter((n) => n.sources.has(source.id));
    if (readers.length === 0 && !(opts.adsSources && source.why)) return;
    assessed.push(assess(source, host.sources[i], readers));
  });
  const dataSources: Record<string, SourceReport> = {};
  for (const a of assessed) dataSources[a.source.id] = a.report;
  const iso = (t: number | undefined): string | undefined => (t === undefined ? undefined : new Date(t).toISOString());
  return {
    platforms: [...host.products].sort(),
    events: host.events,
    unrecognizedEvents: host.unrecognized,
    files: host.files.size,
    firstEvent: iso(host.first),
    lastEvent: iso(host.last),
    dataSources,
    rules: needs
      .filter((n) => assessed.some((a) => n.sources.has(a.source.id)))
      .map((n) => ({ rule: n.title, id: n.id, status: ruleStatus(n, assessed) })),
  };
}

function assess(source: DataSource, tally: HostTally['sources'][number], readers: readonly RuleNeed[]): Assessed {
  const problems: SourceProblem[] = [];
  const hurt = new Set<RuleNeed>();
  (source.checks ?? []).forEach((check, c) => {
    const wanted = check.fields?.map((f) => f.toLowerCase());
    const affected = wanted ? readers.filter((r) => wanted.some((f) => r.fields.has(f))) : readers;
    if (wanted && affected.length === 0) return;
    const { on, off } = tally.checks[c];
    if (off === 0 || on > 0) return;
    for (const r of affected) hurt.add(r);
    problems.push({ problem: check.problem, fix: check.fix, eventsOff: off, eventsJudged: on + off, rules: affected.map((r) => r.title) });
  });
  const status: SourceStatus = tally.events === 0 ? 'missing' : problems.length ? 'degraded' : 'present';
  const hint = (source.hints ?? []).find((_, h) => tally.hints[h]);
  const fix = status === 'missing' ? hint?.fix ?? source.fix : status === 'degraded' ? problems.map((p) => p.fix).join('; ') : null;
  return {
    source,
    hurt,
    report: {
      title: source.title,
      status,
      events: tally.events,
      fix,
      problems,
      neededBy: readers.map((r) => r.title),
      ...(source.why ? { why: source.why } : {}),
      ...(source.note ? { note: source.note } : {}),
    },
  };
}

function ruleStatus(need: RuleNeed, assessed: readonly Assessed[]): RuleStatus {
  if (need.kind === 'correlation') {
    // Every member must be able to fire for the correlation to.
    const members = need.members.map((m) => ruleStatus(m, assessed));
    if (members.includes('blind')) return 'blind';
    return members.includes('impaired') ? 'impaired' : 'covered';
  }
  let impaired = false;
  for (const a of assessed) {
    if (!need.sources.has(a.source.id) || a.report.status === 'missing') continue;
    if (!a.hurt.has(need)) return 'covered';
    impaired = true;
  }
  return impaired ? 'impaired' : 'blind';
}
