/** `vigil watch`: live detection on this Linux host from kernel audit, until Ctrl-C (or --duration). */
import { AuditSensor } from '../sensor/audit-sensor.js';
import { AuditUnavailableError } from '../sensor/auditctl.js';
import { LiveDetection, type LiveAlert } from '../pipeline/live.js';
import { createAlertSink } from '../sinks/formats.js';
import { ALERT_FORMATS, type AlertFormat } from '../sinks/sink.js';
import { textOut } from '../sinks/text-out.js';
import { terminalSafe } from '../sinks/terminal-safe.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { listFlag, parseArgs, stringFlag, UsageError } from './args.js';
import { DEFAULT_STORE } from './hunt.js';
import { loadRules, parsePlaceholders } from './rule-loading.js';

export const WATCH_HELP = `vigil watch [options]

Live detection on this Linux host (root): adds the audit rules the T1049
pack needs (rules/auditd/vigil-t1049.rules), reuses the running auditd and
its log (or starts a private auditd in a temporary folder), follows the
audit log across rotation, truncation and auditd restarts, and prints
alerts as they happen, in the formats of 'vigil hunt'. On Ctrl-C, SIGTERM
or the end of --duration it removes exactly the audit rules it added (rules
that were loaded before stay) and stops the auditd it started.

Each alert's latency (kernel timestamp of the audited syscall → alert
printed) is in json and jsonl output as latency_ms; the summary on stderr
gives its median, 95th percentile and max.

  --duration S          stop after S seconds (default: run until interrupted)
  --rules PATH          add rule files or folders (repeatable)
  --no-builtin          do not load the built-in T1049 pack
  --placeholder N=V     value for an 'expand' placeholder %N% (repeatable)
  --format F            table (default), json, jsonl, csv
  --out FILE            write alerts to FILE instead of stdout
  --store FILE          SQLite store for alerts (default .vigil/vigil.db)
  --no-store            do not store alerts
  --audit-log FILE      follow FILE instead of the running auditd's configured log (with no
                        auditd running, FILE is followed and no auditd is started)
  --audit-dir DIR       a private auditd (when none runs) keeps its config and log in DIR (kept)
  --audit-rules FILE    audit rules to add instead of the pack's (auditctl -R syntax, -a/-w only)
  --idle-ms N           an event with no new record for N ms is complete (default 150;
                        auditd logs no end-of-event record for most events)
  --quiet               no notes or summary on stderr
`;

export async function watchCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, {
    duration: 'string', rules: 'list', 'no-builtin': 'bool', placeholder: 'list', format: 'string', out: 'string',
    store: 'string', 'no-store': 'bool', 'audit-log': 'string', 'audit-dir': 'string', 'audit-rules': 'string',
    'idle-ms': 'string', quiet: 'bool', help: 'bool',
  });
  if (args.flags.get('help')) {
    process.stdout.write(WATCH_HELP);
    return 0;
  }
  if (args.positional.length) throw new UsageError(`watch takes no positional arguments (got '${args.positional[0]}')`);
  const format = (stringFlag(args, 'format') ?? 'table') as AlertFormat;
  if (!ALERT_FORMATS.includes(format)) throw new UsageError(`--format must be one of ${ALERT_FORMATS.join(', ')}`);
  const duration = numberFlag(stringFlag(args, 'duration'), '--duration');
  const idleMs = numberFlag(stringFlag(args, 'idle-ms'), '--idle-ms');
  const quiet = args.flags.get('quiet') === true;
  const log = (s: string): void => {
    if (!quiet) process.stderr.write(s + '\n');
  };

  const { detector, files: ruleFiles, errors: ruleErrors } = loadRules(listFlag(args, 'rules'), !args.flags.get('no-builtin'), parsePlaceholders(listFlag(args, 'placeholder')));
  for (const e of ruleErrors) process.stderr.write(`vigil: rule skipped: ${terminalSafe(e.describe())}\n`);
  log(`vigil: ${detector.rules.length} rules, ${detector.correlations.length} correlations from ${ruleFiles} files`);

  const sink = createAlertSink(format, textOut(stringFlag(args, 'out')));
  let live: LiveDetection | undefined;
  const sensor = new AuditSensor({
    event: (obj, line) => live?.push(obj, line),
    error: (m) => process.stderr.write(`vigil: ${terminalSafe(m)}\n`),
    note: (m) => log(`vigil: ${terminalSafe(m)}`),
  }, {
    auditLog: stringFlag(args, 'audit-log'), auditDir: stringFlag(args, 'audit-dir'), rulesFile: stringFlag(args, 'audit-rules'), idleMs,
  });

  let info;
  try {
    info = await sensor.start();
  } catch (e) {
    if (e instanceof AuditUnavailableError) {
      process.stderr.write(`vigil watch: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  let store: SqliteStore | undefined;
  try {
    store = args.flags.get('no-store') ? undefined : new SqliteStore(stringFlag(args, 'store') ?? DEFAULT_STORE);
  } catch (e) {
    await sensor.stop();
    throw e;
  }
  store?.beginHunt([`watch:${info.daemon.logFile}`]);
  live = new LiveDetection(detector, {
    onAlert: (a: LiveAlert) => {
      sink.write(a);
      store?.add(a);
    },
    onError: (message, record) => process.stderr.write(`vigil: ${terminalSafe(info.daemon.logFile)}${record ? `:${record}` : ''}: ${terminalSafe(message)}\n`),
  }, { source: info.daemon.logFile });
  for (const r of info.rules.refused) log(`vigil: audit rule refused by the kernel: ${r.rule} (${terminalSafe(r.message)})`);
  const d = info.daemon;
  log(`vigil: ${d.startedByVigil ? `started auditd (pid ${d.pid})` : d.pid ? `reusing auditd (pid ${d.pid})` : 'no auditd'}, following ${d.logFile}; ` +
    `audit rules: ${info.rules.added.length} added, ${info.rules.preexisting.length} already present`);
  log(`vigil: watching${duration === undefined ? ' (Ctrl-C to stop)' : ` for ${duration} s`}`);

  const storeFlush = store ? setInterval(() => store?.flush(), 1000) : undefined;
  const t0 = Date.now();
  await new Promise<void>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const done = (): void => {
      if (timer) clearTimeout(timer);
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      process.removeListener('SIGHUP', onSignal);
      resolve();
    };
    const onSignal = (): void => {
      // A second signal while cleaning up ends at once; the exit handler still removes our rules.
      process.once('SIGINT', () => process.exit(130));
      process.once('SIGTERM', () => process.exit(143));
      process.once('SIGHUP', () => process.exit(129));
      done();
    };
    // SIGHUP too: a dropped SSH session must not leave the audit rules behind.
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    process.once('SIGHUP', onSignal);
    if (duration !== undefined) timer = setTimeout(done, duration * 1000);
  });

  const report = await sensor.stop();
  live.finish();
  if (storeFlush) clearInterval(storeFlush);
  await sink.close();
  const s = live.hunt.stats;
  store?.finishHunt({ files: 1, events: s.events, alerts: s.alerts, errors: s.errors });
  store?.close();

  const lat = live.latency.summary();
  const secs = (Date.now() - t0) / 1000;
  log(`vigil: watched ${secs.toFixed(1)} s: ${s.events} audit events, ${s.alerts} alerts, ${s.errors} errors` +
    (report.rotations || report.truncations ? `; log rotated ${report.rotations}×, truncated ${report.truncations}×` : ''));
  if (lat.count) log(`vigil: alert latency (audit timestamp → alert printed): median ${lat.median_ms} ms, p95 ${lat.p95_ms} ms, max ${lat.max_ms} ms over ${lat.count} alerts`);
  if (report.lost) log(`vigil: the kernel dropped ${report.lost} audit records meanwhile (backlog full or rate limit): detection may have missed events`);
  log(`vigil: removed ${info.rules.added.length - report.leftBehind.length} audit rules it added` +
    (info.rules.preexisting.length ? `; left the ${info.rules.preexisting.length} that were already loaded` : '') +
    (info.daemon.startedByVigil ? `; stopped auditd (pid ${info.daemon.pid})` : ''));
  for (const f of report.leftBehind) process.stderr.write(`vigil: could not remove audit rule '${f.rule}': ${terminalSafe(f.message)}\n`);
  for (const [id, r] of [...s.alertsByRule].sort((a, b) => b[1].count - a[1].count)) {
    log(`  ${String(r.count).padStart(7)}  ${(r.level ?? '-').padEnd(13)} ${terminalSafe(r.title)} (${id})`);
  }
  return report.leftBehind.length ? 1 : 0;
}

function numberFlag(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+(\.\d+)?$/.test(v) || !Number.isFinite(n)) throw new UsageError(`${name} expects a non-negative number`);
  return n;
}

