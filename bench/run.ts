/**
 * `npm run bench [-- --json] [-- --size-mb N] [-- --repeat N]`: the JSONL detection benchmark.
 *
 * Scenarios, each in a fresh process (one thread detecting), over the same ≥1 GB file,
 * in rounds of one run each (`--repeat N` rounds; ratios are medians of each round's own):
 *   floor        read + JSON.parse of every line (the bar to beat)
 *   t1049        SigmaHQ's T1049-tagged rules        target ≥ 5× floor
 *   builtin      Vigil's built-in T1049 pack
 *   windows_all  every SigmaHQ Windows rule           target ≥ 1× floor
 *   rules_N      N Windows rules (10, 100, 1000)      cost should grow sublinearly
 * and then bench/correlation.ts (10M matches through value_count and the seed rules;
 * skip with --no-correlation) and bench/evtx.ts (EVTX decode, decode + detect and
 * libevtx's evtxexport on the same files; skip with --no-evtx).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO, ensureDataset } from './dataset.js';
import { t1049RuleFiles, windowsRuleFiles } from './rule-sets.js';

interface Result {
  name: string;
  events_per_s: number;
  mb_per_s: number;
  peak_rss_mb: number;
  [k: string]: unknown;
}

const argv = process.argv.slice(2);
const json = argv.includes('--json');
const sizeIdx = argv.indexOf('--size-mb');
const targetMb = sizeIdx >= 0 ? Number(argv[sizeIdx + 1]) : 1024;
const repeatIdx = argv.indexOf('--repeat');
/** Rounds (every scenario once per round); medians are reported, since a shared machine is noisy. */
const repeat = repeatIdx >= 0 ? Math.max(1, Number(argv[repeatIdx + 1])) : 1;
const log = (s: string): void => void process.stderr.write(s + '\n');

const SCENARIO = join(REPO, 'dist', 'bench', 'scenario.js');

/**
 * Not pinned to a CPU: the file is read on libuv's helper thread, beside the
 * main thread, for every scenario alike (pinned, the reads would take turns
 * with detection on one core and the floor would be flattered).
 */
function runOnce(args: string[]): Result {
  const cmd = [process.execPath, '--max-old-space-size=4096', SCENARIO, ...args];
  const out = execFileSync(cmd[0], cmd.slice(1), { encoding: 'utf8', maxBuffer: 1 << 24 });
  return JSON.parse(out.trim().split('\n').pop()!) as Result;
}

/** Runs of one scenario, in round order. */
const runsOf = new Map<string, Result[]>();

const data = await ensureDataset(targetMb * 1048576);
log(`dataset: ${data.path} (${(data.bytes / 1048576).toFixed(0)} MB)`);
const t1049 = t1049RuleFiles();
const windows = windowsRuleFiles();
log(`rules: ${t1049.length} T1049-tagged files, ${windows.length} Windows rule files`);

const scenarios: [string, string[]][] = [
  ['floor', ['floor', data.path]],
  ['t1049', ['rules', data.path, 't1049', ...t1049]],
  ['builtin', ['rules', data.path, 'builtin', join(REPO, 'rules')]],
  ['windows_all', ['rules', data.path, 'windows_all', ...windows]],
  ...[10, 100, 1000].map((n): [string, string[]] => [`rules_${n}`, ['rules', data.path, `rules_${n}`, ...windows, '--limit', String(n)]]),
];
// Rounds, each running every scenario once: this machine's speed drifts by
// tens of percent over minutes, and a ratio to the floor is only fair when
// both were measured at the same time. Each ratio is the median of the
// rounds' own ratios; events/s is the median run.
for (let round = 1; round <= repeat; round++) {
  for (const [key, args] of scenarios) {
    log(`round ${round}/${repeat}: ${key}…`);
    const r = runOnce(args);
    runsOf.set(key, [...(runsOf.get(key) ?? []), r]);
    log(`  ${key}: ${r.events_per_s.toLocaleString('en-US')} events/s, ${r.mb_per_s} MB/s, peak ${r.peak_rss_mb} MB`);
  }
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const floorRuns = runsOf.get('floor')!;
const results: Record<string, Result> = {};
for (const [key] of scenarios) {
  const runs = runsOf.get(key)!;
  const byRate = [...runs].sort((a, b) => a.events_per_s - b.events_per_s);
  const r = { ...byRate[Math.floor(byRate.length / 2)] };
  const ratios = runs.map((x, i) => x.events_per_s / floorRuns[i].events_per_s);
  r.ratio_to_floor = +median(ratios).toFixed(2);
  if (repeat > 1) {
    r.runs_events_per_s = runs.map((x) => x.events_per_s);
    r.runs_ratio_to_floor = ratios.map((x) => +x.toFixed(2));
  }
  results[key] = r;
}

log('');
log('scenario       events/s/core      MB/s   peak MB   × floor   rules  needle-less  parsed');
for (const [k, r] of Object.entries(results)) {
  log(`${k.padEnd(14)} ${r.events_per_s.toLocaleString('en-US').padStart(13)} ${String(r.mb_per_s).padStart(9)} ${String(r.peak_rss_mb).padStart(9)} ${String(r.ratio_to_floor).padStart(9)}` +
    `${String(r.rules ?? '').padStart(8)} ${String(r.needleless_rules ?? '').padStart(12)} ${r.parsed_fraction === undefined ? '' : (Number(r.parsed_fraction) * 100).toFixed(1) + '%'}`);
}
// Correlation state under load (its own script; one process per scenario).
const skipCorrelation = argv.includes('--no-correlation');
let correlation: unknown;
if (!skipCorrelation) {
  log('running correlation (10M matches per scenario)…');
  const out = execFileSync(process.execPath, [join(REPO, 'dist', 'bench', 'correlation.js')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  correlation = (JSON.parse(out.trim().split('\n').pop()!) as { correlation: unknown }).correlation;
}
// EVTX decode and detect next to libevtx (its own script; one process per scenario).
let evtx: unknown;
if (!argv.includes('--no-evtx')) {
  log('running evtx (decode, decode + detect, evtxexport)…');
  const out = execFileSync(process.execPath, [join(REPO, 'dist', 'bench', 'evtx.js'), '--json', ...(repeatIdx >= 0 ? ['--repeat', String(repeat)] : [])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 });
  evtx = (JSON.parse(out.trim().split('\n').pop()!) as { evtx: unknown }).evtx;
}
if (json) console.log(JSON.stringify({ jsonl: results, ...(correlation ? { correlation } : {}), ...(evtx ? { evtx } : {}) }));
