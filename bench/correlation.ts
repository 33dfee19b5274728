/**
 * `npm run bench:correlation [-- --events N]`: correlation state under load.
 *
 *   value_count   10M matches, 100k distinct group keys, one value_count rule
 *   seed          10M matches of the seed write-up's three rules (as converted
 *                 to temporal correlations), over 5,000 hosts and random pids
 *
 * Matches are fed straight to the engine (the detection cost is measured by
 * `npm run bench`). Reports matches/s, peak RSS and the most groups held,
 * which must stay bounded however many matches flow.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CorrelationEngine } from '../src/correlate/engine.js';
import { prepareRuleSet } from '../src/correlate/prepare.js';
import type { CorrelationInput } from '../src/correlate/types.js';
import type { FieldValue } from '../src/core/event.js';
import { loadSigmaText } from '../src/sigma/load.js';
import type { SigmaCorrelation, SigmaDocument } from '../src/sigma/model.js';
import { CORPUS } from './dataset.js';

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const argv = process.argv.slice(2);
const nIdx = argv.indexOf('--events');
const N = nIdx >= 0 ? Number(argv[nIdx + 1]) : 10_000_000;
const onlyIdx = argv.indexOf('--only');
const only = onlyIdx >= 0 ? argv[onlyIdx + 1] : undefined;

function rss(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

/** A scratch input; run() copies its fields per match, since the reorder buffer keeps inputs. */
function makeInput(): CorrelationInput & { refs: string[]; time: number; fields: Map<string, FieldValue> } {
  const fields = new Map<string, FieldValue>();
  const inp = {
    refs: [''],
    time: 0,
    fields,
    get: (f: string) => fields.get(f.toLowerCase()),
    source: { file: 'bench', record: 0, rule: 'bench' },
  };
  return inp;
}

function run(name: string, correlations: SigmaCorrelation[], fill: (i: number, inp: ReturnType<typeof makeInput>) => void): Record<string, number | string> {
  let alerts = 0;
  const engine = new CorrelationEngine(correlations, { onAlert: () => alerts++, toleranceMs: 2000, maxGroups: 200_000 });
  let maxGroups = 0;
  const inp = makeInput();
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    fill(i, inp);
    const fields = new Map(inp.fields);
    engine.push({ refs: [inp.refs[0]], time: inp.time, get: (f) => fields.get(f.toLowerCase()), source: { file: 'bench', record: i, rule: 'bench' } });
    if ((i & 0xffff) === 0) maxGroups = Math.max(maxGroups, engine.groupCount);
  }
  engine.flush();
  const secs = (performance.now() - t0) / 1000;
  const out = {
    name, matches: N, seconds: +secs.toFixed(2), matches_per_s: Math.round(N / secs), peak_rss_mb: rss(),
    max_groups_held: maxGroups, alerts, evicted_groups: engine.stats.evictedGroups, late: engine.stats.late,
  };
  process.stderr.write(`${name}: ${out.matches_per_s.toLocaleString('en-US')} matches/s, peak ${out.peak_rss_mb} MB, at most ${maxGroups} groups, ${alerts} alerts\n`);
  return out;
}

if (only === undefined) {
  // Each scenario in its own process, so each peak RSS is its own.
  const self = fileURLToPath(import.meta.url);
  const results: Record<string, unknown> = {};
  for (const name of ['value_count', 'seed']) {
    const out = execFileSync(process.execPath, [self, '--only', name, '--events', String(N)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    results[name] = JSON.parse(out.trim().split('\n').pop()!);
  }
  console.log(JSON.stringify({ correlation: results }));
  process.exit(0);
}

// 1) value_count: 100k users, each touching ports; fires at 20 distinct ports within 10 minutes.
const vc = loadSigmaText([
  'title: Port sweep', 'name: port_sweep', 'correlation:', '  type: value_count', '  rules: [conn]',
  '  group-by: [SourceIp]', '  timespan: 10m', '  condition:', '    field: DestinationPort', '    gte: 20',
].join('\n')).documents as SigmaCorrelation[];
let seed = 12345;
const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
// 100k source addresses over ~11 h of event time: 100 of them sweep ports (one match in ten),
// the others talk to 443 now and then. Scanners must fire; state must stay flat.
if (only === 'value_count') console.log(JSON.stringify(run('value_count_100k_keys', vc, (i, inp) => {
  inp.refs[0] = 'conn';
  inp.time = i * 4; // 250 matches per second of event time
  const scanner = i % 10 === 0;
  const key = scanner ? 99_900 + (Math.floor(i / 10) % 100) : i % 99_900; // exactly 100k keys
  inp.fields.set('sourceip', `10.${key >> 16}.${(key >> 8) & 255}.${key & 255}`);
  inp.fields.set('destinationport', scanner ? rnd() % 1024 : 443);
})));

// 2) the seed rules as Vigil converts them.
const seedText = readFileSync(join(CORPUS, '..', 'seeds', '004_db4c1920b8685a7b.txt'), 'utf8');
const docs: SigmaDocument[] = [...seedText.matchAll(/```yml\r?\n([\s\S]*?)```/g)].flatMap((m) => loadSigmaText(m[1]).documents);
const prepared = prepareRuleSet(docs).documents;
const seedCorrelations = prepared.filter((d): d is SigmaCorrelation => d.type === 'correlation');
const seedRefs = seedCorrelations.flatMap((c) => c.rules);
if (only === 'seed') console.log(JSON.stringify(run('seed_rules', seedCorrelations, (i, inp) => {
  inp.refs[0] = seedRefs[rnd() % seedRefs.length];
  inp.time = i * 10; // 100 matches per second of event time
  inp.fields.set('computer', `host${rnd() % 5000}`);
  const pid = `0x${(rnd() % 4096).toString(16)}`;
  inp.fields.set('newprocessid', pid);
  inp.fields.set('processid', pid);
})));
