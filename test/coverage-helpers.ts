/** Shared by the coverage tests: the built-in pack's rule needs, and a report over real files. */
import { loadRules } from '../src/cli/rule-loading.js';
import { buildReport, type CoverageReport, type HostReport, type SourceReport } from '../src/coverage/report.js';
import { ruleNeeds, type RuleNeed } from '../src/coverage/rule-needs.js';
import { scanFiles } from '../src/coverage/scan.js';
import { DATA_SOURCES } from '../src/coverage/sources.js';
import { CoverageTally } from '../src/coverage/tally.js';
import { discoverFiles } from '../src/sources/discover.js';

let pack: RuleNeed[] | undefined;

/** What the built-in T1049 pack reads, derived from its rule files. */
export function packNeeds(): RuleNeed[] {
  if (!pack) {
    const { detector, errors } = loadRules([], true, new Map());
    if (errors.length) throw new Error(`built-in pack did not load: ${errors.map((e) => e.describe()).join('; ')}`);
    pack = ruleNeeds(detector.rules.map((r) => r.rule), detector.correlations, DATA_SOURCES);
  }
  return pack;
}

export async function coverageOfFiles(paths: string[]): Promise<CoverageReport> {
  const tally = new CoverageTally();
  const problems: string[] = [];
  const files = discoverFiles(paths, (p, m) => problems.push(`${p}: ${m}`));
  await scanFiles(files, tally, (f, m) => problems.push(`${f}: ${m}`));
  if (problems.length) throw new Error(`reading failed: ${problems.join('; ')}`);
  return buildReport(tally, packNeeds(), { adsSources: true });
}

export function hostOf(report: CoverageReport, name: string): HostReport {
  const h = report.hosts[name];
  if (!h) throw new Error(`no host ${name} in the report; hosts: ${Object.keys(report.hosts).join(', ')}`);
  return h;
}

export function sourceOf(host: HostReport, id: string): SourceReport {
  const s = host.dataSources[id];
  if (!s) throw new Error(`data source ${id} not reported; reported: ${Object.keys(host.dataSources).join(', ')}`);
  return s;
}

export function ruleStatusOf(host: HostReport, title: string): string | undefined {
  return host.rules.find((r) => r.rule === title)?.status;
}
