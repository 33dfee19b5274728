/**
 * The T1049 ground truth (test/fixtures/t1049-ground-truth.tsv) against what the
 * built-in pack really raises, through the same code path as `vigil hunt`:
 *
 *   TSV rows ──────────────────────────────┐
 *   inputs of each platform ─▶ Hunt (built-in rules, correlations) ─▶ alerts tagged attack.t1049
 *                                           └─▶ evaluate: per rule TP/FP/FN, per behaviour recall
 *
 * Used by `npm run precision` (bench/precision.ts, the table in docs/PRECISION.md)
 * and by test/t1049-ground-truth.test.ts (the same pass, as assertions).
 * A platform joins by adding its rows (platform column) and its inputs to INPUTS.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import type { Alert } from '../src/core/alert.js';
import { createHunt } from '../src/pipeline/create-hunt.js';
import { loadRules } from '../src/cli/rule-loading.js';
import { discoverFiles } from '../src/sources/discover.js';
import { CORPUS, REPO } from './dataset.js';

export const GROUND_TRUTH = join(REPO, 'test', 'fixtures', 't1049-ground-truth.tsv');
const TAG = 'attack.t1049';

export type Source = 'real' | 'constructed';

/** What each platform's part of the ground truth is measured on: folders of the corpus and of the repo. */
export const INPUTS: Readonly<Record<string, { corpus: readonly string[]; repo: readonly string[] }>> = {
  windows: {
    corpus: ['evtx', 'json', 'sigma-rules/regression_data'],
    repo: ['test/fixtures/windows'],
  },
};

export interface TruthRow {
  line: number;
  platform: string;
  source: Source;
  /** Relative to ../shared/corpus (real) or to the repository (constructed). */
  file: string;
  record: number;
  truth: 't1049' | 'other';
  behaviour: string;
  /** Rule id that must alert on this record; undefined: none (a known miss, or a hard negative). */
  rule?: string;
  evidence: string;
}

export interface T1049Alert {
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

export interface HuntResult {
  alerts: T1049Alert[];
  /** Rule id → title, for every loaded rule and correlation. */
  titles: Map<string, string>;
  errors: string[];
  files: number;
  events: number;
  seconds: number;
}

/** One pass of the built-in pack over the given platforms' inputs; keeps the alerts tagged attack.t1049. */
export async function huntT1049(platforms: readonly string[]): Promise<HuntResult> {
  const { detector, errors: ruleErrors } = loadRules([], true, new Map());
  if (ruleErrors.length) throw new Error(`built-in rules rejected: ${ruleErrors.map((e) => e.describe()).join('; ')}`);
  const titles = new Map<string, string>();
  for (const r of detector.rules) if (r.rule.meta.id) titles.set(r.rule.meta.id, r.rule.meta.title);
  for (const c of detector.correlations) if (c.meta.id) titles.set(c.meta.id, c.meta.title);

  const alerts: T1049Alert[] = [];
  const errors: string[] = [];
  const keep = (a: Alert): void => {
    if (!a.rule.tags.includes(TAG)) return;
    const where = locate(a.source.file);
    alerts.push({ ...where, record: a.source.record, ruleId: a.rule.id ?? a.rule.title, title: a.rule.title, level: a.rule.level, correlation: a.correlation !== undefined });
  };
  const { hunt } = createHunt(detector, { onAlert: keep, onError: (file, message, record) => errors.push(`${file}${record ? `:${record}` : ''}: ${message}`) });

  const paths = platforms.flatMap((p) => {
    const inputs = INPUTS[p];
    if (!inputs) throw new Error(`no inputs declared for platform '${p}' in bench/ground-truth.ts`);
    return [...inputs.corpus.map((c) => join(CORPUS, c)), ...inputs.repo.map((r) => join(REPO, r))];
  });
  const t0 = process.hrtime.bigint();
  for (const f of discoverFiles(paths, (p, m) => errors.push(`${p}: ${m}`))) await hunt.runFile(f.path, f.size, f.explicit);
  hunt.finish();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { alerts, titles, errors, files: hunt.stats.files, events: hunt.stats.events, seconds };
}

function locate(file: string): { source: Source; file: string } {
  const inCorpus = relative(CORPUS, file);
  if (!inCorpus.startsWith('..') && !isAbsolute(inCorpus)) return { source: 'real', file: inCorpus };
  return { source: 'constructed', file: relative(REPO, file) };
}

export const alertKey = (x: { source: Source; file: string; record: number }, rule: string): string =>
  `${x.source}:${x.file}#${x.record}@${rule}`;

export interface RuleScore {
  ruleId: string;
  title: string;
  level?: string;
  tp: number;
  fp: number;
  fn: number;
  /** The same counts on constructed fixtures only: what the real corpus measures is the difference. */
  constructed: { tp: number; fp: number; fn: number };
}

export interface BehaviourScore {
  behaviour: string;
  positives: number;
  detected: number;
  missed: number;
  rules: string[];
}

export interface Evaluation {
  rules: RuleScore[];
  behaviours: BehaviourScore[];
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
  const score = (id: string, level?: string): RuleScore => {
    let s = scores.get(id);
    if (!s) scores.set(id, (s = { ruleId: id, title: titles.get(id) ?? id, level, tp: 0, fp: 0, fn: 0, constructed: { tp: 0, fp: 0, fn: 0 } }));
    if (level) s.level = level;
    return s;
  };
  const unexpected: T1049Alert[] = [];
  for (const [key, a] of fired) {
    const row = expected.get(key);
    const s = score(a.ruleId, a.level);
    const kind = row?.truth === 't1049' ? 'tp' : 'fp';
    if (!row) unexpected.push(a);
    s[kind]++;
    if (a.source === 'constructed') s.constructed[kind]++;
  }
  const missing: TruthRow[] = [];
  for (const [key, row] of expected) {
    if (fired.has(key)) continue;
    missing.push(row);
    if (row.truth === 't1049') {
      const s = score(row.rule!);
      s.fn++;
      if (row.source === 'constructed') s.constructed.fn++;
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

  const byBehaviour = new Map<string, { records: Map<string, boolean>; rules: Set<string> }>();
  for (const r of rows) {
    if (r.truth !== 't1049') continue;
    const b = byBehaviour.get(r.behaviour) ?? { records: new Map(), rules: new Set() };
    byBehaviour.set(r.behaviour, b);
    const rec = alertKey(r, '');
    const hit = alerts.some((a) => alertKey(a, '') === rec && (!a.correlation || r.rule === a.ruleId));
    b.records.set(rec, (b.records.get(rec) ?? false) || hit);
    if (r.rule) b.rules.add(titles.get(r.rule) ?? r.rule);
  }
  const behaviours = [...byBehaviour].map(([behaviour, b]) => {
    const detected = [...b.records.values()].filter(Boolean).length;
    return { behaviour, positives: b.records.size, detected, missed: b.records.size - detected, rules: [...b.rules].sort() };
  });
  const rules = [...scores.values()].sort((x, y) => x.title.localeCompare(y.title));
  return { rules, behaviours: behaviours.sort((x, y) => x.behaviour.localeCompare(y.behaviour)), unexpected, missing, negativesHit };
}

const ratio = (a: number, b: number): string => (b === 0 ? '–' : (a / b).toFixed(2));

/** The two Markdown tables of docs/PRECISION.md. */
export function markdown(e: Evaluation): string {
  const out: string[] = [];
  out.push('| rule | level | TP | FP | FN | precision | recall | of which constructed (TP/FP/FN) |', '|---|---|---:|---:|---:|---:|---:|---:|');
  for (const s of e.rules) {
    const c = s.constructed;
    out.push(`| ${s.title} | ${s.level ?? '–'} | ${s.tp} | ${s.fp} | ${s.fn} | ${ratio(s.tp, s.tp + s.fp)} | ${ratio(s.tp, s.tp + s.fn)} | ${c.tp}/${c.fp}/${c.fn} |`);
  }
  const sum = (f: (s: RuleScore) => number): number => e.rules.reduce((n, s) => n + f(s), 0);
  const [tp, fp, fn] = [sum((s) => s.tp), sum((s) => s.fp), sum((s) => s.fn)];
  const [rtp, rfp, rfn] = [tp - sum((s) => s.constructed.tp), fp - sum((s) => s.constructed.fp), fn - sum((s) => s.constructed.fn)];
  out.push(`| **all rules** | | ${tp} | ${fp} | ${fn} | ${ratio(tp, tp + fp)} | ${ratio(tp, tp + fn)} | |`);
  out.push(`| **all rules, real data only** | | ${rtp} | ${rfp} | ${rfn} | ${ratio(rtp, rtp + rfp)} | ${ratio(rtp, rtp + rfn)} | |`);
  out.push('', '| behaviour (T1049 records) | positives | detected | missed | recall | rules expected |', '|---|---:|---:|---:|---:|---|');
  for (const b of e.behaviours) {
    out.push(`| ${b.behaviour} | ${b.positives} | ${b.detected} | ${b.missed} | ${ratio(b.detected, b.positives)} | ${b.rules.join('; ') || '(none: blind spot)'} |`);
  }
  if (e.unexpected.length) {
    out.push('', 'Alerts no ground-truth row expects (counted as FP):', '');
    for (const a of e.unexpected) out.push(`- ${a.title}: ${a.source} ${a.file} record ${a.record}`);
  }
  return out.join('\n') + '\n';
}
