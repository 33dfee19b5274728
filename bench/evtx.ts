/**
 * `node dist/bench/evtx.js [FILE.evtx...] [--repeat N] [--json]`: EVTX speed, next to libevtx.
 *
 * File sets (default): `dense`, the densest samples of omerbenamram-evtx-samples, and
 * `corpus`, every .evtx under the shared corpus (which includes those samples).
 * Per set, N rounds (`--repeat N`, default 5); in each round every scenario runs once in
 * its own process (so its peak RSS is its own), pinned to one CPU with taskset when it is
 * installed: a warm-up (≥ 1.5 s, ≥ 2 passes), then one timed run of as many passes over
 * the set as make it last ≥ 1 s. The median run is reported, and each ratio to
 * evtxexport is the median of the rounds' own ratios (this machine's speed drifts).
 *
 *   decode       readLogFile on each file into a sink that only counts: the read + decode
 *                path `vigil hunt` takes for .evtx, without detection
 *   t1049        Hunt.runFile on each file with SigmaHQ's attack.t1049-tagged rules
 *   windows_all  Hunt.runFile on each file with every SigmaHQ Windows rule
 *   evtxexport   libevtx's `evtxexport -f xml FILE > /dev/null`, one process per file
 *                (that tool takes one file per run), when it is installed
 *
 * Reports MB/s and records/s (file bytes and records over wall time), CPU seconds, peak RSS,
 * and each scenario's MB/s over evtxexport's. Targets (issue #3): t1049 ≥ 20×, windows_all ≥ 5×.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { openSync, readFileSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Detector } from '../src/detect/engine.js';
import { derivedPolicyFor, impliedTexts } from '../src/normalize/index.js';
import { Hunt } from '../src/pipeline/hunt.js';
import { loadSigmaFile } from '../src/sigma/load.js';
import type { SigmaDocument } from '../src/sigma/model.js';
import { readLogFile } from '../src/sources/read-file.js';
import { CORPUS, walk } from './dataset.js';
import { t1049RuleFiles, windowsRuleFiles } from './rule-sets.js';

const SCENARIOS = ['decode', 't1049', 'windows_all', 'evtxexport'] as const;
type Scenario = (typeof SCENARIOS)[number];
const TARGETS: Partial<Record<Scenario, number>> = { t1049: 20, windows_all: 5 };

interface Result {
  scenario: Scenario;
  files: number;
  bytes: number;
  records: number;
  passes_per_run: number;
  runs_s: number[];
  seconds: number;
  cpu_s: number;
  mb_per_s: number;
  records_per_s: number;
  peak_rss_mb: number;
  [k: string]: unknown;
}

const argv = process.argv.slice(2);
const json = argv.includes('--json');
const ri = argv.indexOf('--repeat');
const repeat = ri >= 0 ? Math.max(1, Number(argv[ri + 1])) : 5;
const oi = argv.indexOf('--only');
const only = oi >= 0 ? (argv[oi + 1] as Scenario) : undefined;
const named = argv.filter((a, i) => !a.startsWith('--') && argv[i - 1] !== '--repeat' && argv[i - 1] !== '--only');

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** CPU seconds of this process and of its waited-for children (evtxexport), from /proc when there. */
function cpuNow(): number {
  const own = process.cpuUsage();
  let children = 0;
  try {
    const f = readFileSync('/proc/self/stat', 'utf8');
    const rest = f.slice(f.lastIndexOf(')') + 2).split(' '); // rest[0] is field 3 (state)
    children = (Number(rest[13]) + Number(rest[14])) / 100; // cutime + cstime, in USER_HZ (100)
  } catch {
    // not Linux: children's CPU time is left out
  }
  return (own.user + own.system) / 1e6 + children;
}

/** One pass over the files; returns the records seen (and alerts, for detection). */
type Pass = () => Promise<{ records: number; alerts?: number }>;

async function makePass(scenario: Scenario, files: string[], extra: Record<string, unknown>): Promise<Pass> {
  const sizes = files.map((f) => statSync(f).size);
  if (scenario === 'decode') {
    return async () => {
      let records = 0;
      const sink = { line: () => undefined, object: () => void records++, error: () => undefined };
      for (const f of files) await readLogFile(f, sink);
      return { records };
    };
  }
  if (scenario === 't1049' || scenario === 'windows_all') {
    const docs: SigmaDocument[] = [];
    const ruleFiles = scenario === 't1049' ? t1049RuleFiles() : windowsRuleFiles();
    for (const f of ruleFiles) docs.push(...loadSigmaFile(f).documents);
    const t0 = performance.now();
    const detector = new Detector(docs, { derived: derivedPolicyFor, implied: impliedTexts, lenientPlaceholders: true });
    Object.assign(extra, { rule_files: ruleFiles.length, rules: detector.rules.length, compile_ms: Math.round(performance.now() - t0) });
    return async () => {
      let alerts = 0;
      const hunt = new Hunt(detector, { onAlert: () => void alerts++, onError: () => undefined });
      for (let i = 0; i < files.length; i++) await hunt.runFile(files[i], sizes[i]);
      return { records: hunt.stats.events, alerts };
    };
  }
  // evtxexport: its start-up is part of what it costs per file, so measure it on its own too.
  const spawns = Array.from({ length: 20 }, () => {
    const t = performance.now();
    spawnSync('evtxexport', ['-V'], { stdio: 'ignore' });
    return performance.now() - t;
  });
  extra.startup_ms = +median(spawns).toFixed(2);
  const devnull = openSync('/dev/null', 'w');
  return async () => {
    for (const f of files) {
      const r = spawnSync('evtxexport', ['-f', 'xml', f], { stdio: ['ignore', devnull, 'ignore'] });
      if (r.status !== 0) extra.failed = f;
    }
    return { records: NaN };
  };
}

/** evtxexport's records and peak RSS, from one extra untimed pass (its output is counted, not discarded). */
function evtxexportCensus(files: string[]): { records: number; peak_rss_mb?: number } {
  let records = 0;
  let peakKb = 0;
  const time = spawnSync('/usr/bin/time', ['-f', '%M', 'true'], { stdio: 'ignore' }).status === 0;
  for (const f of files) {
    const r = time
      ? spawnSync('/usr/bin/time', ['-f', '%M', 'evtxexport', '-f', 'xml', f], { encoding: 'utf8', maxBuffer: 1 << 30 })
      : spawnSync('evtxexport', ['-f', 'xml', f], { encoding: 'utf8', maxBuffer: 1 << 30 });
    records += (r.stdout.match(/^<Event[ >]/gm) ?? []).length;
    if (time) peakKb = Math.max(peakKb, Number(r.stderr.trim().split('\n').pop()));
  }
  return { records, peak_rss_mb: time ? Math.round(peakKb / 1024) : undefined };
}

async function child(scenario: Scenario, files: string[]): Promise<Result> {
  const bytes = files.reduce((n, f) => n + statSync(f).size, 0);
  const extra: Record<string, unknown> = {};
  const pass = await makePass(scenario, files, extra);
  // Warm-up (≥ 1.5 s and ≥ 2 passes, so the JIT has settled); its last pass sizes a run.
  let t = performance.now();
  const start = t;
  let first = await pass();
  let warm = (performance.now() - t) / 1000;
  // An external tool has no JIT to warm: its one pass above sizes the run.
  const warmPasses = scenario === 'evtxexport' ? 1 : 2;
  for (let k = 1; k < warmPasses || (scenario !== 'evtxexport' && performance.now() - start < 1500); k++) {
    t = performance.now();
    first = await pass();
    warm = (performance.now() - t) / 1000;
  }
  const passes = Math.max(1, Math.ceil(1 / Math.max(warm, 1e-3)));
  const runs: { s: number; cpu: number; records: number; alerts?: number }[] = [];
  for (let r = 0; r < repeat; r++) {
    let records = 0;
    let alerts = 0;
    const c0 = cpuNow();
    t = performance.now();
    for (let p = 0; p < passes; p++) {
      const o = await pass();
      records += o.records;
      alerts += o.alerts ?? 0;
    }
    runs.push({ s: (performance.now() - t) / 1000 / passes, cpu: (cpuNow() - c0) / passes, records: records / passes, alerts: alerts / passes });
  }
  const m = [...runs].sort((a, b) => a.s - b.s)[Math.floor(runs.length / 2)];
  let records = first.records;
  let peak = process.resourceUsage().maxRSS / 1024;
  if (scenario === 'evtxexport') {
    const c = evtxexportCensus(files);
    records = c.records;
    peak = c.peak_rss_mb ?? NaN;
  } else if (scenario !== 'decode') extra.alerts = m.alerts;
  return {
    scenario, files: files.length, bytes, records, passes_per_run: passes,
    runs_s: runs.map((r) => +r.s.toFixed(4)), seconds: +m.s.toFixed(4), cpu_s: +m.cpu.toFixed(4),
    mb_per_s: +(bytes / 1048576 / m.s).toFixed(2), records_per_s: Math.round(records / m.s),
    peak_rss_mb: Math.round(peak), ...extra,
  };
}


if (only !== undefined) {
  console.log(JSON.stringify(await child(only, named)));
  process.exit(0);
}

const SAMPLES = join(CORPUS, 'evtx', 'omerbenamram-evtx-samples', 'samples');
const sets: Record<string, string[]> = named.length
  ? { files: named.map((f) => resolve(f)) }
  : {
    dense: ['security.evtx', 'sysmon.evtx', 'system.evtx', 'post-Security.evtx', 'sample-with-irregular-bool-values.evtx'].map((f) => join(SAMPLES, f)),
    corpus: walk(join(CORPUS, 'evtx')).filter((p) => p.endsWith('.evtx')),
  };

const haveEvtxexport = !spawnSync('evtxexport', ['-V'], { stdio: 'ignore' }).error;
const haveTaskset = !spawnSync('taskset', ['-V'], { stdio: 'ignore' }).error;
/** The last CPU: one core for every scenario, evtxexport's processes included (they inherit it). */
const cpu = cpus().length - 1;
const self = fileURLToPath(import.meta.url);
const say = (s: string): void => void (json ? process.stderr : process.stdout).write(s + '\n');
if (!haveEvtxexport) say('evtxexport not found (apt-get install libevtx-utils): no libevtx comparison');

function runChild(scenario: Scenario, files: string[]): Result {
  const node = [process.execPath, '--max-old-space-size=4096', self, '--only', scenario, '--repeat', '1', ...files];
  const [cmd, ...args] = haveTaskset ? ['taskset', '-c', String(cpu), ...node] : node;
  const out = execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out.trim().split('\n').pop()!) as Result;
}

/**
 * Rounds, each running every scenario once (its own process: warm-up, one
 * timed run): this machine's speed drifts by tens of percent over minutes, and
 * a ratio to evtxexport is only fair between runs made at the same time. A
 * scenario's figures are its median run; its ratio is the median of the
 * rounds' own ratios (all listed).
 */
const results: Record<string, unknown> = {};
for (const [name, files] of Object.entries(sets)) {
  const scenarios = SCENARIOS.filter((s) => s !== 'evtxexport' || haveEvtxexport);
  const runs: Partial<Record<Scenario, Result[]>> = {};
  for (let round = 1; round <= repeat; round++) {
    for (const s of scenarios) {
      process.stderr.write(`evtx ${name}, round ${round}/${repeat}: ${s}…\n`);
      (runs[s] ??= []).push(runChild(s, files));
    }
  }
  const byScenario: Partial<Record<Scenario, Result>> = {};
  for (const s of scenarios) {
    const sorted = [...runs[s]!].sort((a, b) => a.mb_per_s - b.mb_per_s);
    byScenario[s] = { ...sorted[Math.floor(sorted.length / 2)], runs_mb_per_s: runs[s]!.map((r) => r.mb_per_s) };
  }
  const lib = runs.evtxexport;
  const ratios: Record<string, number> = {};
  const roundRatios: Record<string, number[]> = {};
  if (lib) {
    for (const s of scenarios) {
      if (s === 'evtxexport') continue;
      roundRatios[s] = runs[s]!.map((r, i) => +(r.mb_per_s / lib[i].mb_per_s).toFixed(1));
      ratios[`${s}_x_evtxexport`] = median(roundRatios[s]);
    }
  }
  const d = byScenario.decode!;
  results[name] = {
    files: files.length, mb: +(d.bytes / 1048576).toFixed(2), records: d.records,
    pinned_cpu: haveTaskset ? cpu : null, rounds: repeat, ...byScenario, ratios, round_ratios: roundRatios,
    targets: Object.fromEntries(Object.entries(TARGETS).map(([s, x]) => [s, { at_least_x: x, met: ratios[`${s}_x_evtxexport`] === undefined ? null : ratios[`${s}_x_evtxexport`] >= x }])),
  };
  say(`${name}: ${files.length} files, ${(d.bytes / 1048576).toFixed(1)} MB, ${d.records.toLocaleString('en-US')} records${haveTaskset ? `, pinned to CPU ${cpu}` : ''}, ${repeat} rounds (median run; ratio = median of the rounds' ratios)`);
  say('  scenario         MB/s     records/s   CPU s/pass   peak MB   × evtxexport (rounds)        target');
  for (const s of scenarios) {
    const r = byScenario[s]!;
    const x = ratios[`${s}_x_evtxexport`];
    const target = TARGETS[s] === undefined ? '' : `≥ ${TARGETS[s]}× ${x === undefined ? '' : x >= TARGETS[s]! ? 'met' : 'NOT met'}`;
    const each = roundRatios[s] ? ` (${roundRatios[s].join(' · ')})` : '';
    say(`  ${s.padEnd(12)} ${r.mb_per_s.toFixed(2).padStart(9)} ${r.records_per_s.toLocaleString('en-US').padStart(13)} ${r.cpu_s.toFixed(3).padStart(12)} ${String(r.peak_rss_mb).padStart(9)} ${x === undefined ? '' : (x.toFixed(1) + '×').padStart(8)}${each.padEnd(20)}   ${target}`);
  }
}
/**
 * Parallel decoding, as a user meets it: `vigil hunt` over the corpus .evtx listed
 * `copies` times (a hunt of a few hundred MB: worker start-up is paid once, as in real
 * use), one thread vs worker threads (one per CPU), wall time of the whole command
 * (each worker loading and compiling the rules included), median of `repeat` runs;
 * with the built-in pack (what `vigil hunt` runs by default) and with every SigmaHQ
 * Windows rule.
 */
function cliScaling(files: string[], copies: number): Record<string, unknown> {
  const cli = resolve(fileURLToPath(new URL('../src/cli/main.js', import.meta.url)));
  const inputs = Array.from({ length: copies }, () => files).flat();
  const bytes = inputs.reduce((n, f) => n + statSync(f).size, 0);
  const time = (threads: number, ruleArgs: string[]): number => {
    const runs: number[] = [];
    for (let r = 0; r < repeat; r++) {
      const t = performance.now();
      const out = spawnSync(process.execPath, [cli, 'hunt', ...inputs, ...ruleArgs,
        '--threads', String(threads), '--no-store', '--no-progress', '--quiet', '--format', 'jsonl'], { stdio: ['ignore', 'ignore', 'ignore'] });
      if (out.status !== 0) throw new Error(`vigil hunt --threads ${threads} failed`);
      runs.push((performance.now() - t) / 1000);
    }
    return median(runs);
  };
  const threads = cpus().length;
  const sets: Record<string, string[]> = {
    builtin_pack: [],
    windows_all: ['--no-builtin', ...windowsRuleFiles().flatMap((f) => ['--rules', f])],
  };
  const out: Record<string, unknown> = { files: inputs.length, mb: +(bytes / 1048576).toFixed(1), threads };
  for (const [name, ruleArgs] of Object.entries(sets)) {
    const one = time(1, ruleArgs);
    const many = time(threads, ruleArgs);
    out[name] = { one_thread_s: +one.toFixed(2), parallel_s: +many.toFixed(2), speedup: +(one / many).toFixed(2),
      one_thread_mb_per_s: +(bytes / 1048576 / one).toFixed(1), parallel_mb_per_s: +(bytes / 1048576 / many).toFixed(1) };
  }
  return out;
}

if (!named.length) {
  const copies = 4;
  process.stderr.write(`evtx corpus ×${copies}: vigil hunt, 1 thread vs worker threads…\n`);
  const scaling = cliScaling(sets.corpus, copies);
  results.parallel_hunt = scaling;
  for (const name of ['builtin_pack', 'windows_all']) {
    const r = scaling[name] as Record<string, number>;
    say(`parallel hunt, ${name} (${scaling.mb} MB, whole command): 1 thread ${r.one_thread_s} s (${r.one_thread_mb_per_s} MB/s), ` +
      `${scaling.threads} worker threads ${r.parallel_s} s (${r.parallel_mb_per_s} MB/s): ${r.speedup}×`);
  }
}
if (json) console.log(JSON.stringify({ evtx: results }));
