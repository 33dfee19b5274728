/**
 * `vigil lint`: does a Sigma file load and compile the way the reference
 * toolchain (pySigma) accepts it, plus warnings and notes on things that
 * load fine but probably do not do what the author meant.
 *
 *   file ─loadSigmaFile─▶ documents ─compile each rule/filter─▶ ok?
 *                              └─checks (checks.ts, taxonomy.ts)─▶ warnings, notes
 *
 * A file is ok when it loads without error, holds at least one document and
 * every rule and filter compiles. Every message names the file and the rule.
 */
import { compileBody, compileRule } from '../detect/compile-rule.js';
import { SigmaError } from '../sigma/errors.js';
import { loadSigmaFile } from '../sigma/load.js';
import type { SigmaCorrelation, SigmaDocument, SigmaFilter } from '../sigma/model.js';
import { checkDocument } from './checks.js';
import { builtinTaxonomy, type FieldTable } from './taxonomy.js';

export interface LintOptions {
  /** Field table for the unknown-field check; the built-in one when absent. */
  taxonomy?: FieldTable;
}

export interface LintResult {
  path: string;
  ok: boolean;
  rules: { id?: string; title: string }[];
  errors: string[];
  warnings: string[];
  notes: string[];
}

export function lintFile(path: string, opts: LintOptions = {}): LintResult {
  return lintWithDocuments(path, opts).result;
}

/**
 * Lints several files, then what only the whole set can tell: correlations
 * must name rules some file defines (the reference toolchain rejects them
 * otherwise), filters should, and rule ids should be unique.
 */
export function lintFiles(paths: readonly string[], opts: LintOptions = {}): LintResult[] {
  const linted = paths.map((p) => lintWithDocuments(p, opts));
  const byRef = new Map<string, { path: string; title: string }[]>();
  for (const { result, documents } of linted) {
    for (const d of documents) {
      for (const key of [d.meta.id, d.meta.name]) {
        if (key === undefined) continue;
        const list = byRef.get(key) ?? [];
        list.push({ path: result.path, title: d.meta.title });
        byRef.set(key, list);
      }
    }
  }
  for (const { result, documents } of linted) {
    for (const d of documents) {
      if (d.type === 'correlation') {
        for (const name of d.rules) {
          if (byRef.has(name)) continue;
          result.errors.push(at(result.path, d.meta.title, `correlation refers to rule '${name}', which none of the linted files defines`));
        }
      } else if (d.type === 'filter') {
        const missing = d.rules.filter((r) => !byRef.has(r));
        if (missing.length > 0) {
          result.warnings.push(at(result.path, d.meta.title, `filter names rules none of the linted files defines (${missing.join(', ')}): it applies to nothing`));
        }
      }
      const id = d.meta.id;
      const users = id === undefined ? [] : (byRef.get(id) ?? []);
      const first = users[0];
      if (first && (first.path !== result.path || first.title !== d.meta.title)) {
        result.warnings.push(at(result.path, d.meta.title, `id ${id} is also used by ${first.path}: rule '${first.title}'`));
      }
    }
    result.ok = result.errors.length === 0 && result.rules.length > 0;
  }
  return linted.map((l) => l.result);
}

function lintWithDocuments(path: string, opts: LintOptions): { result: LintResult; documents: SigmaDocument[] } {
  const table = opts.taxonomy ?? builtinTaxonomy();
  const loaded = loadSigmaFile(path);
  const result: LintResult = {
    path,
    ok: false,
    rules: loaded.documents.map((d) => (d.meta.id === undefined ? { title: d.meta.title } : { id: d.meta.id, title: d.meta.title })),
    errors: loaded.errors.map((e) => e.describe()),
    warnings: [],
    notes: [],
  };
  for (const doc of loaded.documents) {
    // Loaded documents carry their file; keep messages pointing at the path given.
    const title = doc.meta.title;
    if (doc.type === 'correlation') {
      result.notes.push(at(path, title, correlationNote(doc)));
      continue;
    }
    const placeholderWarnings: string[] = [];
    try {
      if (doc.type === 'rule') compileRule(doc, { lenientPlaceholders: true, warnings: placeholderWarnings });
      else compileFilter(doc, placeholderWarnings);
    } catch (e) {
      // Anything but a SigmaError is an engine bug; still report it against this rule.
      result.errors.push(at(path, title, e instanceof SigmaError ? e.message : `internal error while compiling: ${String(e)}`));
    }
    for (const w of new Set(placeholderWarnings)) result.warnings.push(at(path, title, w));
    const found = checkDocument(doc, table, loaded.documentLinks);
    for (const w of found.warnings) result.warnings.push(at(path, title, w));
    for (const n of found.notes) result.notes.push(at(path, title, n));
  }
  if (loaded.documents.length === 0 && loaded.errors.length === 0) {
    result.errors.push(new SigmaError('no Sigma document in this file', { file: path }).describe());
  }
  result.ok = result.errors.length === 0 && loaded.documents.length > 0;
  return { result, documents: loaded.documents };
}

/** A filter's selections and condition, compiled as a rule's would be. */
function compileFilter(filter: SigmaFilter, warnings: string[]): void {
  compileBody(filter, { lenientPlaceholders: true, warnings });
}

function correlationNote(c: SigmaCorrelation): string {
  const by = c.groupBy.length ? `, grouped by ${c.groupBy.join(', ')}` : '';
  const quiet = c.generate ? '' : '; the referenced rules raise no alerts of their own (generate is not set)';
  return `${c.correlationType} correlation over ${c.rules.join(', ')} within ${c.timespanSeconds}s${by}${quiet}`;
}

function at(file: string, rule: string, message: string): string {
  return new SigmaError(message, { file, rule }).describe();
}
