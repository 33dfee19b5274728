/** `vigil hunt PATH...`: run the rules over log files and folders, print alerts and a summary. */
import type { Alert } from '../core/alert.js';
import { createHunt } from '../pipeline/create-hunt.js';
import { runFiles } from '../pipeline/run-files.js';
import { discoverFiles } from '../sources/discover.js';
import { createAlertSink } from '../sinks/formats.js';
import { ALERT_FORMATS, type AlertFormat } from '../sinks/sink.js';
import { textOut } from '../sinks/text-out.js';
import { terminalSafe } from '../sinks/terminal-safe.js';
import { listFlag, parseArgs, stringFlag, UsageError } from './args.js';
import { Progress } from './progress.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { loadRules, parsePlaceholders } from './rule-loading.js';

export const HUNT_HELP = `vigil hunt PATH... [options]

Runs Sigma rules over log files and folders (recursive). Formats are
detected per file: Windows .evtx, JSON lines, a JSON array, one or several
JSON documents, Linux audit logs (auditd RAW/ENRICHED), FreeBSD/OpenBSM
praudit -x XML, Zeek TSV logs, or .gz of those. JSON events are read as
Windows (evtx_dump, Winlogbeat/ECS, OTRF), macOS (Elastic Endpoint, eslogger),
LAUREL, CloudTrail, Azure Activity Log, GCP audit or Zeek events by their
shape. Correlation rules run over all files in event-time order.

  --rules PATH          add rule files or folders (repeatable)
  --no-builtin          do not load the built-in T1049 pack
  --placeholder N=V     value for an 'expand' placeholder %N% (repeatable)
  --format F            table (default), json, jsonl, csv
  --out FILE            write alerts to FILE instead of stdout
  --store FILE          SQLite store for this hunt and its alerts (default .vigil/vigil.db)
  --no-store            do not record the hunt in a store
  --threads N           worker threads decoding .evtx files of 1 MiB or more in parallel,
                        in ranges of chunks (default: one per CPU but one, so none on a
                        2-CPU machine; 1 = none; used when such files total 16 MiB or
                        more, or whenever N is given)
  --no-progress         no progress bar
  --quiet               no summary on stderr
`;

export const DEFAULT_STORE = '.vigil/vigil.db';

export async function huntCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, {
    rules: 'list', 'no-builtin': 'bool', placeholder: 'list', format: 'string', out: 'string',
    'no-progress': 'bool', quiet: 'bool', help: 'bool', store: 'string', 'no-store': 'bool', threads: 'string',
  });
  if (args.flags.get('help')) {
    process.stdout.write(HUNT_HELP);
    return 0;
  }
  if (args.positional.length === 0) throw new UsageError('hunt needs at least one log file or folder');
  const format = (stringFlag(args, 'format') ?? 'table') as AlertFormat;
  if (!ALERT_FORMATS.includes(format)) throw new UsageError(`--format must be one of ${ALERT_FORMATS.join(', ')}`);
  const quiet = args.flags.get('quiet') === true;
  const log = (s: string): void => {
    if (!quiet) process.stderr.write(s + '\n');
  };

  const threadsFlag = stringFlag(args, 'threads');
  if (threadsFlag !== undefined && !/^\d{1,3}$/.test(threadsFlag)) throw new UsageError('--threads expects a whole number');
  const rulePaths = listFlag(args, 'rules');
  const builtin = !args.flags.get('no-builtin');
  const placeholders = parsePlaceholders(listFlag(args, 'placeholder'));
  const { detector, documents, files: ruleFiles, errors: ruleErrors, notes } = loadRules(rulePaths, builtin, placeholders);
  for (const e of ruleErrors) process.stderr.write(`vigil: rule skipped: ${terminalSafe(e.describe())}\n`);
  for (const n of notes) log(`vigil: note: ${terminalSafe(n)}`);

  log(`vigil: ${detector.rules.length} rules, ${detector.correlations.length} correlations from ${ruleFiles} files`);

  const inputs = discoverFiles(args.positional, (p, m) => process.stderr.write(`vigil: ${terminalSafe(p)}: ${m}\n`));
  const total = inputs.reduce((s, f) => s + f.size, 0);
  const outPath = stringFlag(args, 'out');
  const sink = createAlertSink(format, textOut(outPath));
  const progress = new Progress(total, !args.flags.get('no-progress'));
  const store = args.flags.get('no-store') ? undefined : new SqliteStore(stringFlag(args, 'store') ?? DEFAULT_STORE);
  store?.beginHunt(args.positional);
  const { hunt, correlations } = createHunt(detector, {
    onAlert: (a: Alert) => {
      sink.write(a);
      store?.add(a);
    },
    onError: (file, message, record) =>
      process.stderr.write(`vigil: ${terminalSafe(file)}${record ? `:${record}` : ''}: ${terminalSafe(message)}\n`),
    onProgress: (bytes) => progress.update(bytes, hunt.stats.events),
  });
  if (correlations) {
    const known = new Set(detector.rules.flatMap((r) => r.refs));
    for (const c of detector.correlations) for (const k of [c.meta.id, c.meta.name]) if (k) known.add(k);
    for (const ref of correlations.unresolved(known)) process.stderr.write(`vigil: a correlation references '${terminalSafe(ref)}', which no loaded rule defines\n`);
  }
  const t0 = process.hrtime.bigint();
  const shared = await runFiles(hunt, inputs, {
    threads: threadsFlag === undefined ? undefined : Number(threadsFlag),
    minParallelBytes: threadsFlag === undefined ? undefined : 0,
    rules: { documents, placeholders: [...placeholders] },
    expectedRules: detector.rules.length,
  });
  hunt.finish();
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  progress.done();
  await sink.close();
  store?.finishHunt(hunt.stats);
  store?.close();

  const s = hunt.stats;
  log(`vigil: ${s.files} files${s.skippedFiles ? ` (+${s.skippedFiles} non-log files skipped)` : ''}, ${s.events} events (${s.parsed} parsed), ${s.alerts} alerts, ${s.errors} errors, ` +
    `${secs.toFixed(2)} s, ${Math.round(s.events / Math.max(secs, 1e-6)).toLocaleString('en-US')} events/s`);
  if (shared.threads > 0) {
    log(`vigil: ${shared.threads} worker threads decoded ${shared.ranges} EVTX chunk ranges` +
      (shared.redone ? `; ${shared.redone} damaged files decoded again as a whole` : ''));
  }
  if (correlations) {
    const c = correlations.stats;
    log(`vigil: correlations: ${c.inputs} matches in, ${c.alerts} fired` +
      (c.untimed ? `, ${c.untimed} matches without an event time (not correlated)` : '') +
      (c.evictedGroups || c.evictedEntries ? `, state evicted: ${c.evictedGroups} groups, ${c.evictedEntries} events` : '') +
      (c.forcedOut ? `, ${c.forcedOut} matches processed before later-read files could reorder them (buffer full)` : ''));
  }
  if (store) log(`vigil: alerts stored in ${store.path}`);
  for (const [id, r] of [...s.alertsByRule].sort((a, b) => b[1].count - a[1].count)) {
    log(`  ${String(r.count).padStart(7)}  ${(r.level ?? '-').padEnd(13)} ${terminalSafe(r.title)} (${id})`);
  }
  return 0;
}
