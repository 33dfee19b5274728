/** `vigil coverage PATH...`: which data sources the rules need are in the logs, per host, and how to fix each gap. */
import { safeJson } from '../sinks/json-safe.js';
import { buildReport } from '../coverage/report.js';
import { renderTable } from '../coverage/render-table.js';
import { ruleNeeds } from '../coverage/rule-needs.js';
import { scanFiles } from '../coverage/scan.js';
import { DATA_SOURCES } from '../coverage/sources.js';
import { CoverageTally } from '../coverage/tally.js';
import { discoverFiles } from '../sources/discover.js';
import { terminalSafe } from '../sinks/terminal-safe.js';
import { listFlag, parseArgs, stringFlag, UsageError } from './args.js';
import { loadRules } from './rule-loading.js';

export const COVERAGE_HELP = `vigil coverage PATH... [options]

Reads log files and folders (every format vigil hunt reads) and reports, per
host, which data sources the built-in T1049 pack needs are present, degraded
or missing in them, with the fix for each gap: for example Security 4688
without command lines, no Sysmon, no PowerShell script block logging, auditd
without an execve rule, CloudTrail without EC2 read events. Which rules need
which source is worked out from the loaded rules' logsources, so --rules adds
the sources your own rules read. A host is checked for the sources of the
platforms its events show; "missing" means absent from these logs.

  --format F      table (default) or json (one object: hosts → data sources →
                  {status, events, fix, problems, neededBy}, plus each rule's
                  status: covered, impaired or blind)
  --rules PATH    also assess these rule files or folders (repeatable)
  --no-builtin    do not load the built-in T1049 pack
  --quiet         no summary on stderr

Exit status: 0 the report was written (gaps are findings, not failures),
1 a path could not be read, 2 usage error.
`;

const FORMATS = ['table', 'json'] as const;
type Format = (typeof FORMATS)[number];

export async function coverageCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { format: 'string', rules: 'list', 'no-builtin': 'bool', quiet: 'bool', help: 'bool' });
  if (args.flags.get('help')) {
    process.stdout.write(COVERAGE_HELP);
    return 0;
  }
  if (args.positional.length === 0) throw new UsageError('coverage needs at least one log file or folder');
  const format = (stringFlag(args, 'format') ?? 'table') as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}`);
  const quiet = args.flags.get('quiet') === true;
  const builtin = !args.flags.get('no-builtin');

  const { detector, errors: ruleErrors } = loadRules(listFlag(args, 'rules'), builtin, new Map());
  for (const e of ruleErrors) process.stderr.write(`vigil: rule skipped: ${terminalSafe(e.describe())}\n`);
  const needs = ruleNeeds(detector.rules.map((r) => r.rule), detector.correlations, DATA_SOURCES);

  let unreadable = 0;
  const inputs = discoverFiles(args.positional, (p, m) => {
    unreadable++;
    process.stderr.write(`vigil: ${terminalSafe(p)}: ${m}\n`);
  });
  const tally = new CoverageTally(DATA_SOURCES);
  const stats = await scanFiles(inputs, tally, (file, message, record) =>
    process.stderr.write(`vigil: ${terminalSafe(file)}${record ? `:${record}` : ''}: ${terminalSafe(message)}\n`));
  const report = buildReport(tally, needs, { adsSources: builtin });

  const text = format === 'json' ? safeJson(report, 2) + '\n' : renderTable(report);
  await new Promise<void>((resolve) => process.stdout.write(text, () => resolve()));
  if (!quiet) {
    const statuses = Object.values(report.hosts).flatMap((h) => Object.values(h.dataSources).map((s) => s.status));
    const n = (s: string): number => statuses.filter((x) => x === s).length;
    process.stderr.write(`vigil: ${plural(stats.files, 'file')}${stats.skippedFiles ? ` (+${stats.skippedFiles} non-log files skipped)` : ''}, ` +
      `${plural(stats.events, 'event')}, ${plural(Object.keys(report.hosts).length, 'host')}; data sources: ${n('present')} present, ` +
      `${n('degraded')} degraded, ${n('missing')} missing; ${plural(stats.errors, 'read error')}\n`);
  }
  return unreadable ? 1 : 0;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
