/** Shared by the coverage tests: the built-in pack's rule needs and rule files, and a report over real files. */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { loadRules } from '../src/cli/rule-loading.js';
import { buildReport, type CoverageReport, type HostReport, type SourceReport } from '../src/coverage/report.js';
import { ruleNeeds, type RuleNeed } from '../src/coverage/rule-needs.js';
import { scanFiles } from '../src/coverage/scan.js';
import { DATA_SOURCES } from '../src/coverage/sources.js';
import { CoverageTally } from '../src/coverage/tally.js';
import { discoverFiles } from '../src/sources/discover.js';
import { filesUnder, REPO_ROOT } from './corpus.js';

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

/**
 * One document of a built-in rule file, read with the yaml package rather than
 * Vigil's loader: the tests derive which rules should read a data source from
 * the files themselves, so a rule added to the pack changes the expectation with it.
 */
export interface PackDoc {
  /** Path under rules/t1049/, e.g. 'linux/connection_listing_tools.yml'. */
  file: string;
  title: string;
  id: string;
  name?: string;
  logsource: { product?: string; service?: string; category?: string };
  /** A correlation's referenced rules (ids or names); undefined for a detection rule. */
  members?: string[];
  /** The detection section as JSON text: what it names (fields, values). */
  detection: string;
}

let docs: PackDoc[] | undefined;

export function packDocs(): PackDoc[] {
  if (docs) return docs;
  const root = join(REPO_ROOT, 'rules', 't1049');
  const out: PackDoc[] = [];
  for (const path of filesUnder(root, '.yml')) {
    for (const d of parseAllDocuments(readFileSync(path, 'utf8'))) {
      const y = d.toJSON() as Record<string, unknown>;
      const correlation = y['correlation'] as { rules?: string[] } | undefined;
      out.push({
        file: relative(root, path),
        title: String(y['title']),
        id: String(y['id']),
        name: typeof y['name'] === 'string' ? y['name'] : undefined,
        logsource: (y['logsource'] ?? {}) as PackDoc['logsource'],
        members: correlation?.rules,
        detection: JSON.stringify(y['detection'] ?? {}),
      });
    }
  }
  return (docs = out);
}

/**
 * Titles of the detection rules `pick` selects, plus every correlation over
 * any of them (a correlation reads what its members read), sorted.
 */
export function titlesReading(pick: (d: PackDoc) => boolean): string[] {
  const all = packDocs();
  const chosen = new Set(all.filter((d) => !d.members && pick(d)));
  let grew = true;
  while (grew) {
    grew = false;
    for (const c of all) {
      if (!c.members || chosen.has(c)) continue;
      const refs = new Set([...chosen].flatMap((d) => [d.id, d.name]));
      if (c.members.some((m) => refs.has(m))) {
        chosen.add(c);
        grew = true;
      }
    }
  }
  return [...chosen].map((d) => d.title).sort();
}

/** The rule's detection pins this Windows EventID (`EventID: 4689` or in a list). */
export function pinsEventId(d: PackDoc, id: number): boolean {
  return new RegExp(`"EventID":\\[?(?:[0-9,]*,)?${id}[,\\]}]`).test(d.detection);
}

/** A process_creation rule of the product, or one of the product-less Unix helpers (cross-platform/). */
export function unixProcessRule(product: string): (d: PackDoc) => boolean {
  return (d) => d.logsource.category === 'process_creation' &&
    (d.logsource.product === product || (d.logsource.product === undefined && d.file.startsWith('cross-platform/')));
}

/** The audit key that rules/auditd/vigil-t1049.rules gives the audit rule whose text matches `line`. */
export function auditKey(line: RegExp): string {
  const text = readFileSync(join(REPO_ROOT, 'rules', 'auditd', 'vigil-t1049.rules'), 'utf8');
  const rule = text.split('\n').find((l) => !l.startsWith('#') && line.test(l));
  const key = rule?.match(/-k (\S+)/)?.[1];
  if (!key) throw new Error(`no audit rule matching ${line} with a key`);
  return key;
}
