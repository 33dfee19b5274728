/**
 * The T1049 ground truth (test/fixtures/t1049-ground-truth.tsv) against what the
 * built-in pack really raises, through the same code path as `vigil hunt`:
 *
 *   TSV rows ──────────────────────────────────────────────────────┐
 *   inputs of each platform ─▶ one Hunt per platform (built-in rules, ─▶ alerts tagged attack.t1049
 *                              correlations)                        └─▶ evaluate: per platform and
 *                                                                       source, per rule TP/FP/FN,
 *                                                                       per behaviour recall
 *
 * Used by `npm run precision` (bench/precision.ts, the table in docs/PRECISION.md)
 * and by test/t1049-ground-truth.test.ts (the same pass, as assertions).
 * A platform joins by adding its rows (platform column) and its inputs to INPUTS.
 * Each platform is hunted in a pass of its own, as a user would hunt that
 * platform's logs: a correlation never mixes two platforms' fixtures.
 */
import { readFileSync } from 'node:fs';
import { basename, isAbsolute, join, relative } from 'node:path';
import type { Alert } from '../src/core/alert.js';
import { loadRules } from '../src/cli/rule-loading.js';
import { createHunt } from '../src/pipeline/create-hunt.js';
import { discoverFiles } from '../src/sources/discover.js';
import { CORPUS, REPO } from './dataset.js';

export const GROUND_TRUTH = join(REPO, 'test', 'fixtures', 't1049-ground-truth.tsv');
const TAG = 'attack.t1049';

export type Source = 'real' | 'constructed';

/**
 * What each platform's part of the ground truth is measured on: folders of the
 * corpus (real data) and of the repo (the real auditd capture and the
 * constructed fixtures). Every file in them is read; each alert must match a row.
 */
export const INPUTS: Readonly<Record<string, { corpus: readonly string[]; repo: readonly string[] }>> = {
  windows: {
    corpus: ['evtx', 'json', 'sigma-rules/regression_data'],
    repo: ['test/fixtures/windows'],
  },
  linux: { corpus: ['auditd'], repo: ['test/fixtures/auditd'] },
  macos: { corpus: ['macos'], repo: ['test/fixtures/macos'] },
  freebsd: { corpus: [], repo: ['test/fixtures/freebsd'] },
  cloud: { corpus: ['cloudtrail'], repo: ['test/fixtures/cloud'] },
  network: { corpus: ['zeek'], repo: ['test/fixtures/zeek'] },
};

export interface TruthRow {
  line: number;
  platform: string;
  /** real: recorded data; constructed: written from a vendor's documented schema. */
  source: Source;
  /** Relative to ../shared/corpus, or to the repository when it starts with test/. */
  file: string;
  record: number;
  truth: 't1049' | 'other';
  behaviour: string;
  /** Rule id that must alert on this record; undefined: none (a known miss, or a hard negative). */
  rule?: string;
  evidence: string;
}

export interface T1049Alert {
  platform: string;
  source: Source;
  file: string;
  record: number;
  ruleId: string;
  title: string;
  level?: string;
  correlation: boolean;
}

const COLUMNS = ['platform', 'source', 'file', 'record', 'truth', 'behaviour', 'rule', 'evidence'];

/** Parses the TSV; a malformed row is an error naming its line (the file is data others will extend). */
export function loadGroundTruth(path = GROUND_TRUTH): TruthRow[] {
  const rows: TruthRow[] = [];
  let header = false;
  readFileSync(path, 'utf8').split('\n').forEach((text, i) => {
    const line = i + 1;
    if (text.trim() === '' || text.startsWith('#')) return;
    const cells = text.split('\t');
    if (!header) {
      if (cells.join(',') !== COLUMNS.join(',')) throw new Error(`${path}:${line}: header must be ${COLUMNS.join(' ')}`);
      header = true;
      return;
    }
    if (cells.length !== COLUMNS.length) throw new Error(`${path}:${line}: ${cells.length} columns, expected ${COLUMNS.length}`);
    const [platform, source, file, record, truth, behaviour, rule, evidence] = cells;
    const n = Number(record);
    if (source !== 'real' && source !== 'constructed') throw new Error(`${path}:${line}: source must be real or constructed`);
    if (truth !== 't1049' && truth !== 'other') throw new Error(`${path}:${line}: truth must be t1049 or other`);
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${path}:${line}: record must be a number`);
    if (!platform || !file || !behaviour || !evidence) throw new Error(`${path}:${line}: empty cell`);
    rows.push({ line, platform, source, file, record: n, truth, behaviour, rule: rule === '-' ? undefined : rule, evidence });
  });
  if (!header) throw new Error(`${path}: no header row`);
  return rows;
}

/** How much of each platform's input was read, real and constructed apart. */
export interface InputVolume {
  platform: string;
  source: Source;
  files: number;
  events: number;
}

export interface HuntResult {
  alerts: T1049Alert[];
  /** Rule id → title, for every loaded rule and correlation. */
  titles: Map<string, string>;
  errors: string[];
  files: number;
  events: number;
  volumes: InputVolume[];
  seconds: number;
}

/** The built-in pack over each platform's inputs, one hunt per platform; keeps the alerts tagged attack.t1049. */
export async function huntT1049(platforms: readonly string[]): Promise<HuntResult> {
  const { detector, errors: ruleErrors } = loadRules([], true, new Map());
  if (ruleErrors.length) throw new Error(`built-in rules rejected: ${ruleErrors.map((e) => e.describe()).join('; ')}`);
  const titles = new Map<string, string>();
  for (const r of detector.rules) if (r.rule.meta.id) titles.set(r.rule.meta.id, r.rule.meta.title);
  for (const c of detector.correlations) if (c.meta.id) titles.set(c.meta.id, c.meta.title);

  const result: HuntResult = { alerts: [], titles, errors: [], files: 0, events: 0, volumes: [], seconds: 0 };
  const t0 = process.hrtime.bigint();
  for (const platform of platforms) {
    const inputs = INPUTS[platform];
    if (!inputs) throw new Error(`no inputs declared for platform '${platform}' in bench/ground-truth.ts`);
    const keep = (a: Alert): void => {
      if (!a.rule.tags.includes(TAG)) return;
      const where = locate(a.source.file);
      result.alerts.push({ platform, ...where, record: a.source.record, ruleId: a.rule.id ?? a.rule.title, title: a.rule.title, level: a.rule.level, correlation: a.correlation !== undefined });
    };
    const { hunt } = createHunt(detector, {
      onAlert: keep,
      onError: (file, message, record) => result.errors.push(`${file}${record ? `:${record}` : ''}: ${message}`),
    });
    const paths = [...inputs.corpus.map((c) => join(CORPUS, c)), ...inputs.repo.map((r) => join(REPO, r))];
    const volumes = new Map<Source, InputVolume>();
    for (const f of discoverFiles(paths, (p, m) => result.errors.push(`${p}: ${m}`))) {
      const [files, events] = [hunt.stats.files, hunt.stats.events];
      await hunt.runFile(f.path, f.size, f.explicit);
      if (hunt.stats.files === files) continue; // not a log (README, generator script): skipped
      const source = locate(f.path).source;
      const v = volumes.get(source) ?? { platform, source, files: 0, events: 0 };
      volumes.set(source, v);
      v.files++;
      v.events += hunt.stats.events - events;
    }
    hunt.finish();
    result.files += hunt.stats.files;
    result.events += hunt.stats.events;
    result.volumes.push(...[...volumes.values()].sort((x, y) => x.source.localeCompare(y.source)));
  }
  result.seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return result;
}

/**
 * Where an input lies, as the TSV names it: corpus files are real and named
 * relative to the corpus; repository files relative to the repository, and
 * constructed when their name says so (the auditd capture is a real recording).
 */
function locate(file: string): { source: Source; file: string } {
  const inCorpus = relative(CORPUS, file);
  if (!inCorpus.startsWith('..') && !isAbsolute(inCorpus)) return { source: 'real', file: inCorpus };
  return { source: basename(file).includes('constructed') ? 'constructed' : 'real', file: relative(REPO, file) };
}

export const alertKey = (x: { source: Source; file: string; record: number }, rule: string): string =>
  `${x.source}:${x.file}#${x.record}@${rule}`;

export interface Counts {
  tp: number;
  fp: number;
  fn: number;
}

export interface RuleScore extends Counts {
  ruleId: string;
  title: string;
  level?: string;
  /** Platforms whose inputs it alerted on or whose rows name it. */
  platforms: string[];
  /** The same counts on constructed fixtures only: what the real data measures is the difference. */
  constructed: Counts;
}

export interface BehaviourScore {
  platform: string;
  behaviour: string;
  positives: number;
  detected: number;
  missed: number;
  rules: string[];
  /** The same positives and detections, real and constructed apart. */
  bySource: Partial<Record<Source, { positives: number; detected: number }>>;
}

/**
 * One platform's real or constructed part. tp/fp count alerts (precision);
 * recall is over T1049 positives, each (record, behaviour) once, known blind
 * spots (rows without a rule) included, so it can be below the rules' own recall.
 */
export interface PlatformScore extends Counts {
  platform: string;
  source: Source;
  positives: number;
  detected: number;
  /** Named hard negatives (truth other, no rule). */
  hardNegatives: number;
}

export interface Evaluation {
  rules: RuleScore[];
  behaviours: BehaviourScore[];
  platforms: PlatformScore[];
  /** Alerts no row expects (new false positives, or rows not written yet). */
  unexpected: T1049Alert[];
  /** Rows that name a rule which did not alert. */
  missing: TruthRow[];
  /** Hard negatives (truth other, rule -) that raised a single-event alert. */
  negativesHit: { row: TruthRow; alert: T1049Alert }[];
}

/**
 * Matches alerts to rows by (file, record, rule). A correlation alert sits on its
 * last contributing event, so hard negatives are checked against single-event
 * alerts only; the correlation is judged by its own row.
 */
export function evaluate(rows: readonly TruthRow[], alerts: readonly T1049Alert[], titles: ReadonlyMap<string, string>): Evaluation {
  const expected = new Map<string, TruthRow>();
  for (const r of rows) if (r.rule) expected.set(alertKey(r, r.rule), r);
  const fired = new Map<string, T1049Alert>();
  for (const a of alerts) fired.set(alertKey(a, a.ruleId), a);

  const scores = new Map<string, RuleScore>();
  const score = (id: string, platform: string, level?: string): RuleScore => {
    let s = scores.get(id);
    if (!s) scores.set(id, (s = { ruleId: id, title: titles.get(id) ?? id, level, platforms: [], tp: 0, fp: 0, fn: 0, constructed: { tp: 0, fp: 0, fn: 0 } }));
    if (level) s.level = level;
    if (!s.platforms.includes(platform)) s.platforms.push(platform);
    return s;
  };
  const platforms = new Map<string, PlatformScore>();
  const part = (platform: string, source: Source): PlatformScore => {
    const key = `${platform}\t${source}`;
    let p = platforms.get(key);
    if (!p) platforms.set(key, (p = { platform, source, positives: 0, detected: 0, hardNegatives: 0, tp: 0, fp: 0, fn: 0 }));
    return p;
  };
  for (const r of rows) if (r.truth === 'other' && !r.rule) part(r.platform, r.source).hardNegatives++;
  const behaviours = behaviourScores(rows, alerts, titles);
  for (const b of behaviours) {
    for (const [source, n] of Object.entries(b.bySource) as [Source, { positives: number; detected: number }][]) {
      part(b.platform, source).positives += n.positives;
      part(b.platform, source).detected += n.detected;
    }
  }

  const unexpected: T1049Alert[] = [];
  for (const [key, a] of fired) {
    const row = expected.get(key);
    const s = score(a.ruleId, a.platform, a.level);
    const kind = row?.truth === 't1049' ? 'tp' : 'fp';
    if (!row) unexpected.push(a);
    s[kind]++;
    if (a.source === 'constructed') s.constructed[kind]++;
    part(a.platform, a.source)[kind]++;
  }
  const missing: TruthRow[] = [];
  for (const [key, row] of expected) {
    if (fired.has(key)) continue;
    missing.push(row);
    if (row.truth === 't1049') {
      const s = score(row.rule!, row.platform);
      s.fn++;
      if (row.source === 'constructed') s.constructed.fn++;
      part(row.platform, row.source).fn++;
    }
  }

  const singleByRecord = new Map<string, T1049Alert>();
  for (const a of alerts) if (!a.correlation) singleByRecord.set(alertKey(a, ''), a);
  const negativesHit: Evaluation['negativesHit'] = [];
  for (const r of rows) {
    if (r.truth !== 'other' || r.rule) continue;
    const a = singleByRecord.get(alertKey(r, ''));
    if (a) negativesHit.push({ row: r, alert: a });
  }

  return {
    rules: [...scores.values()].sort((x, y) => x.platforms[0].localeCompare(y.platforms[0]) || x.title.localeCompare(y.title)),
    behaviours,
    platforms: [...platforms.values()].sort((x, y) => platformOrder(x.platform) - platformOrder(y.platform) || x.source.localeCompare(y.source)),
    unexpected,
    missing,
    negativesHit,
  };
}

const platformOrder = (p: string): number => {
  const i = Object.keys(INPUTS).indexOf(p);
  return i < 0 ? Number.MAX_SAFE_INTEGER : i;
};

/**
 * Recall per (platform, behaviour) over T1049 records: a record counts as
 * detected when an alert on it comes from a rule some row of that behaviour
 * names (so a listing tool's own alert does not count as the burst its row
 * waits for); a behaviour no rule covers (a blind spot) is detected by any
 * single-event alert.
 */
function behaviourScores(rows: readonly TruthRow[], alerts: readonly T1049Alert[], titles: ReadonlyMap<string, string>): BehaviourScore[] {
  const byBehaviour = new Map<string, { platform: string; behaviour: string; rows: TruthRow[]; rules: Set<string> }>();
  for (const r of rows) {
    if (r.truth !== 't1049') continue;
    const key = `${r.platform}\t${r.behaviour}`;
    const b = byBehaviour.get(key) ?? { platform: r.platform, behaviour: r.behaviour, rows: [], rules: new Set<string>() };
    byBehaviour.set(key, b);
    b.rows.push(r);
    if (r.rule) b.rules.add(r.rule);
  }
  const alertsOn = new Map<string, T1049Alert[]>();
  for (const a of alerts) {
    const k = alertKey(a, '');
    alertsOn.set(k, [...(alertsOn.get(k) ?? []), a]);
  }
  const out: BehaviourScore[] = [];
  for (const b of byBehaviour.values()) {
    const records = new Map<string, { source: Source; hit: boolean }>();
    for (const r of b.rows) {
      const rec = alertKey(r, '');
      const hit = (alertsOn.get(rec) ?? []).some((a) => (b.rules.size ? b.rules.has(a.ruleId) : !a.correlation));
      records.set(rec, { source: r.source, hit: (records.get(rec)?.hit ?? false) || hit });
    }
    const bySource: BehaviourScore['bySource'] = {};
    for (const { source, hit } of records.values()) {
      const n = (bySource[source] ??= { positives: 0, detected: 0 });
      n.positives++;
      if (hit) n.detected++;
    }
    const detected = [...records.values()].filter((x) => x.hit).length;
    out.push({ platform: b.platform, behaviour: b.behaviour, positives: records.size, detected, missed: records.size - detected,
      rules: [...b.rules].map((id) => titles.get(id) ?? id).sort(), bySource });
  }
  return out.sort((x, y) => platformOrder(x.platform) - platformOrder(y.platform) || x.behaviour.localeCompare(y.behaviour));
}

const ratio = (a: number, b: number): string => (b === 0 ? '–' : (a / b).toFixed(2));

/** The read volume of each platform part, for the summary table. */
function volumeOf(volumes: readonly InputVolume[], platform: string, source: Source): InputVolume | undefined {
  return volumes.find((v) => v.platform === platform && v.source === source);
}

/** What each platform's real part is, in words: where the recorded data comes from. */
const REAL_DATA: Readonly<Record<string, string>> = {
  windows: 'corpus EVTX and JSON, SigmaHQ regression events',
  linux: 'the auditd capture recorded here; corpus go-libaudit, LAUREL, OTRF logs',
  macos: 'corpus Elastic Endpoint exports',
  freebsd: '(no real trail exists)',
  cloud: 'corpus stratus-red-team CloudTrail detonations',
  network: 'corpus OTRF and brimdata Zeek logs',
};

/** The Markdown tables of docs/PRECISION.md: per platform (real and constructed apart), per rule, per behaviour. */
export function markdown(e: Evaluation, volumes: readonly InputVolume[] = []): string {
  const out: string[] = [];
  out.push('| platform | data | files | events | T1049 positives | detected | recall | hard negatives named | alerts TP | alerts FP | precision |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const seen = new Set(e.platforms.map((p) => `${p.platform}\t${p.source}`));
  const parts = [...e.platforms];
  for (const v of volumes) if (!seen.has(`${v.platform}\t${v.source}`)) parts.push({ platform: v.platform, source: v.source, positives: 0, detected: 0, hardNegatives: 0, tp: 0, fp: 0, fn: 0 });
  parts.sort((x, y) => platformOrder(x.platform) - platformOrder(y.platform) || x.source.localeCompare(y.source));
  for (const p of parts) {
    const v = volumeOf(volumes, p.platform, p.source);
    const data = p.source === 'real' ? `real: ${REAL_DATA[p.platform] ?? 'corpus'}` : 'constructed fixtures';
    out.push(`| ${p.platform} | ${data} | ${v?.files ?? 0} | ${(v?.events ?? 0).toLocaleString('en-US')} | ${p.positives} | ${p.detected} | ${ratio(p.detected, p.positives)} | ${p.hardNegatives} | ${p.tp} | ${p.fp} | ${ratio(p.tp, p.tp + p.fp)} |`);
  }
  const total = (list: readonly PlatformScore[]): string => {
    const n = list.reduce((a, p) => ({ pos: a.pos + p.positives, det: a.det + p.detected, neg: a.neg + p.hardNegatives, tp: a.tp + p.tp, fp: a.fp + p.fp }), { pos: 0, det: 0, neg: 0, tp: 0, fp: 0 });
    return `${n.pos} | ${n.det} | ${ratio(n.det, n.pos)} | ${n.neg} | ${n.tp} | ${n.fp} | ${ratio(n.tp, n.tp + n.fp)} |`;
  };
  out.push(`| **all platforms, real data only** | | | | ${total(e.platforms.filter((p) => p.source === 'real'))}`);
  out.push(`| **all platforms, real and constructed** | | | | ${total(e.platforms)}`);

  out.push('', '| platform | rule | level | TP | FP | FN | precision | recall | of which constructed (TP/FP/FN) |', '|---|---|---|---:|---:|---:|---:|---:|---:|');
  for (const s of e.rules) {
    const c = s.constructed;
    out.push(`| ${s.platforms.join(', ')} | ${s.title} | ${s.level ?? '–'} | ${s.tp} | ${s.fp} | ${s.fn} | ${ratio(s.tp, s.tp + s.fp)} | ${ratio(s.tp, s.tp + s.fn)} | ${c.tp}/${c.fp}/${c.fn} |`);
  }

  out.push('', '| platform | behaviour (T1049 records) | positives | detected | missed | recall | rules expected |', '|---|---|---:|---:|---:|---:|---|');
  for (const b of e.behaviours) {
    out.push(`| ${b.platform} | ${b.behaviour} | ${b.positives} | ${b.detected} | ${b.missed} | ${ratio(b.detected, b.positives)} | ${b.rules.join('; ') || '(none: blind spot)'} |`);
  }
  if (e.unexpected.length) {
    out.push('', 'Alerts no ground-truth row expects (counted as FP):', '');
    for (const a of e.unexpected) out.push(`- ${a.title}: ${a.source} ${a.file} record ${a.record}`);
  }
  return out.join('\n') + '\n';
}
