/** `vigil emulate T1049`: run the technique's tests under the live sensor and report detection per step. */
import { safeJson } from '../sinks/json-safe.js';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { atomicFileIn, AtomicFormatError, parseAtomicFile, type AtomicSource } from '../emulate/atomic.js';
import { formatEmulationTable } from '../emulate/report.js';
import { runEmulation } from '../emulate/runner.js';
import { AuditUnavailableError } from '../sensor/auditctl.js';
import { terminalSafe } from '../sinks/terminal-safe.js';
import { listFlag, parseArgs, stringFlag, UsageError } from './args.js';
import { BUILTIN_RULES, loadRules, parsePlaceholders } from './rule-loading.js';

/** Without --atomics: the shared corpus's copy beside the repository (../shared/corpus/atomic), when present. */
export const DEFAULT_ATOMICS = resolve(dirname(BUILTIN_RULES), '..', 'shared', 'corpus', 'atomic');

export const EMULATE_HELP = `vigil emulate TECHNIQUE [options]          e.g. vigil emulate T1049

Adversary emulation with detection check, on this Linux host (root). Starts
the live sensor of 'vigil watch' (audit rules added, auditd reused or
started), then runs, each in its own audit session:
  - every Atomic Red Team test of TECHNIQUE supported on Linux with an sh or
    bash executor, after its prerequisite checks (get_prereq_command is
    never run: it may install or download), #{input} arguments substituted;
  - for T1049, Vigil's own steps: a shell script reading /proc/net/tcp, a
    renamed copy of ss, lsof -i, who -a, w.
Per step it prints the command, its exit code, the audit records it caused,
the rules that fired on them and the time from the step's start to the
first alert. Tests for other platforms are listed with the log source that
would show them. Afterwards the audit rules it added are removed, the auditd
it started is stopped and its temporary files are deleted.

Exit status: 0 when every applicable step was detected, 1 otherwise (or when
kernel audit is unavailable), 2 on a usage error.

The Atomic definitions are read from --atomics DIR (DIR/TECHNIQUE/TECHNIQUE.yaml,
the layout of Atomic Red Team's atomics folder, or DIR/TECHNIQUE.yaml); without
it from the shared corpus beside the repository (../shared/corpus/atomic).
Vigil ships no copy of them. Their commands run as root, as written (like
Invoke-AtomicTest): use definitions you trust.

  --atomics DIR         folder holding the Atomic Red Team definitions
  --no-atomics          run only Vigil's own steps
  --input NAME=VALUE    value for an Atomic input argument #{NAME} (repeatable)
  --format F            table (default) or json (one document, for CI)
  --out FILE            write the report to FILE instead of stdout
  --rules PATH          add rule files or folders (repeatable)
  --no-builtin          do not load the built-in T1049 pack
  --step-timeout S      kill a step still running after S seconds (default 60)
  --audit-dir DIR       a private auditd (when none runs) keeps its config and log in DIR
  --quiet               no progress on stderr
`;

export async function emulateCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, {
    atomics: 'string', 'no-atomics': 'bool', input: 'list', format: 'string', out: 'string', rules: 'list', 'no-builtin': 'bool',
    'step-timeout': 'string', 'audit-dir': 'string', quiet: 'bool', help: 'bool',
  });
  if (args.flags.get('help')) {
    process.stdout.write(EMULATE_HELP);
    return 0;
  }
  if (args.positional.length !== 1) throw new UsageError('emulate needs one technique id, e.g. T1049');
  const technique = args.positional[0].toUpperCase();
  if (!/^T\d{4}(\.\d{3})?$/.test(technique)) throw new UsageError(`'${args.positional[0]}' is not an ATT&CK technique id (e.g. T1049)`);
  const format = stringFlag(args, 'format') ?? 'table';
  if (format !== 'table' && format !== 'json') throw new UsageError('--format must be table or json');
  const timeout = stringFlag(args, 'step-timeout');
  if (timeout !== undefined && !/^\d+$/.test(timeout)) throw new UsageError('--step-timeout expects whole seconds');
  const inputs = new Map<string, string>();
  for (const spec of listFlag(args, 'input')) {
    const eq = spec.indexOf('=');
    if (eq <= 0) throw new UsageError(`--input expects NAME=VALUE, got '${spec}'`);
    inputs.set(spec.slice(0, eq), spec.slice(eq + 1));
  }
  const quiet = args.flags.get('quiet') === true;
  const say = (m: string): void => {
    if (!quiet) process.stderr.write(`vigil emulate: ${terminalSafe(m)}\n`);
  };

  let atomics: AtomicSource | undefined;
  if (!args.flags.get('no-atomics')) {
    const given = stringFlag(args, 'atomics');
    const folder = resolve(given ?? DEFAULT_ATOMICS);
    const file = existsSync(folder) ? atomicFileIn(folder, technique) : undefined;
    if (!file) {
      process.stderr.write(`vigil emulate: no Atomic Red Team definitions for ${technique}: looked for ${folder}/${technique}/${technique}.yaml and ${folder}/${technique}.yaml.\n` +
        (given ? '' : 'Pass --atomics DIR (e.g. the atomics folder of a clone of redcanaryco/atomic-red-team), or --no-atomics for Vigil\'s own steps only.\n'));
      return 2;
    }
    try {
      atomics = { technique: parseAtomicFile(file), folder };
    } catch (e) {
      if (e instanceof AtomicFormatError) {
        process.stderr.write(`vigil emulate: ${terminalSafe(e.message)}\n`);
        return 2;
      }
      throw e;
    }
    if (atomics.technique.technique.toUpperCase() !== technique) {
      process.stderr.write(`vigil emulate: ${file} is for ${atomics.technique.technique}, not ${technique}\n`);
      return 2;
    }
  }

  const { detector, errors } = loadRules(listFlag(args, 'rules'), !args.flags.get('no-builtin'), parsePlaceholders([]));
  for (const e of errors) process.stderr.write(`vigil: rule skipped: ${terminalSafe(e.describe())}\n`);

  let report;
  try {
    report = await runEmulation({
      technique, atomics, inputs, detector, progress: say,
      stepTimeoutMs: timeout === undefined ? undefined : Number(timeout) * 1000,
      sensor: { auditDir: stringFlag(args, 'audit-dir') },
    });
  } catch (e) {
    if (e instanceof AuditUnavailableError) {
      process.stderr.write(`vigil emulate: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  const text = format === 'json' ? safeJson(report, 2) + '\n' : formatEmulationTable(report);
  const out = stringFlag(args, 'out');
  if (out) writeFileSync(out, text);
  else process.stdout.write(text);
  return report.ok ? 0 : 1;
}
