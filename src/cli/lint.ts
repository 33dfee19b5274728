/** `vigil lint PATH...`: check Sigma rule files as the reference toolchain does, plus warnings. */
import { safeJson } from '../sinks/json-safe.js';
import { existsSync, statSync } from 'node:fs';
import { lintFiles, type LintResult } from '../lint/lint-file.js';
import { loadTaxonomyFile, TaxonomyError, type FieldTable } from '../lint/taxonomy.js';
import { findRuleFiles } from '../sigma/load.js';
import { terminalSafe } from '../sinks/terminal-safe.js';
import { parseArgs, stringFlag, UsageError } from './args.js';

export const LINT_HELP = `vigil lint PATH... [options]

Checks Sigma rule files (folders are searched for .yml/.yaml). A file is
rejected when it does not load or a rule in it does not compile, as the
reference toolchain (pySigma) would reject it. Warnings and notes point at
rules that load but probably do not do what was meant: exact matches on
command lines, fields the logsource does not have, ATT&CK references the
tags do not name, unused detections, legacy timeframes. Lint the rules a
correlation names together with it: an unresolved rule reference rejects it.

  --format F        text (default) or json (one JSON object per file per line)
  --taxonomy FILE   field table in the layout of SigmaHQ's tests/logsource.json,
                    instead of the built-in one (Sysmon, Security 4688/4689/4703,
                    PowerShell 4103/4104, Linux process_creation, CloudTrail)
  --quiet           text: print only files with errors; json: no summary

Exit status: 0 all files accepted, 1 some file rejected, 2 usage error.
`;

const FORMATS = ['text', 'json'] as const;
type Format = (typeof FORMATS)[number];

export async function lintCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { format: 'string', taxonomy: 'string', quiet: 'bool', help: 'bool' });
  if (args.flags.get('help')) {
    process.stdout.write(LINT_HELP);
    return 0;
  }
  if (args.positional.length === 0) throw new UsageError('lint needs at least one rule file or folder');
  const format = (stringFlag(args, 'format') ?? 'text') as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}`);
  const quiet = args.flags.get('quiet') === true;
  let taxonomy: FieldTable | undefined;
  const taxonomyPath = stringFlag(args, 'taxonomy');
  if (taxonomyPath !== undefined) {
    try {
      taxonomy = loadTaxonomyFile(taxonomyPath);
    } catch (e) {
      if (e instanceof TaxonomyError) throw new UsageError(e.message);
      throw e;
    }
  }

  const { files, missing } = collectFiles(args.positional);
  const results = [...missing, ...lintFiles(files, { taxonomy })];
  results.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

  const rejected = results.filter((r) => !r.ok).length;
  const warnings = results.reduce((n, r) => n + r.warnings.length, 0);
  const summary = `${results.length} files, ${results.length - rejected} ok, ${rejected} rejected, ${warnings} warnings`;
  const out: string[] = [];
  if (format === 'json') {
    for (const r of results) out.push(safeJson(jsonOf(r)));
    process.stdout.write(out.map((l) => l + '\n').join(''));
    if (!quiet) process.stderr.write(`vigil lint: ${summary}\n`);
  } else {
    for (const r of results) {
      if (quiet && r.ok) continue;
      for (const e of r.errors) out.push(`error: ${terminalSafe(e)}`);
      for (const w of r.warnings) out.push(`warning: ${terminalSafe(w)}`);
      for (const n of r.notes) out.push(`note: ${terminalSafe(n)}`);
    }
    out.push(summary);
    process.stdout.write(out.map((l) => l + '\n').join(''));
  }
  return rejected > 0 ? 1 : 0;
}

/** Files named directly are linted whatever their extension; folders give their .yml/.yaml files. */
function collectFiles(paths: readonly string[]): { files: string[]; missing: LintResult[] } {
  const files: string[] = [];
  const missing: LintResult[] = [];
  for (const p of paths) {
    if (!existsSync(p)) {
      missing.push({ path: p, ok: false, rules: [], errors: [`${p}: no such file or folder`], warnings: [], notes: [] });
      continue;
    }
    if (statSync(p).isDirectory()) {
      const found = findRuleFiles([p]);
      if (found.length === 0) process.stderr.write(`vigil lint: ${terminalSafe(p)}: no .yml/.yaml files in this folder\n`);
      files.push(...found);
    } else {
      files.push(p);
    }
  }
  return { files: [...new Set(files)], missing };
}

/** Field order fixed: path, ok, rules, errors, warnings, notes; a rule without id has "id": null. */
function jsonOf(r: LintResult): object {
  return {
    path: r.path,
    ok: r.ok,
    rules: r.rules.map((x) => ({ id: x.id ?? null, title: x.title })),
    errors: r.errors,
    warnings: r.warnings,
    notes: r.notes,
  };
}
