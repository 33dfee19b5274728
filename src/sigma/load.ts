/**
 * Sigma files → documents. A file may hold several YAML documents; the
 * legacy collection actions are honoured:
 *
 *   action: global   merged into every following document
 *   action: reset    forgets the global part
 *   action: repeat   the previous document again, with these keys overriding
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, extname } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { SigmaError } from './errors.js';
import type { SigmaDocument } from './model.js';
import { isPlainObject } from './parse-detection.js';
import { parseDocument } from './parse-document.js';

export interface LoadedFile {
  file: string;
  documents: SigmaDocument[];
  errors: SigmaError[];
  /**
   * For rules embedded in a Markdown/text write-up: the links the surrounding
   * prose gives (lint checks ATT&CK links against the rules' tags).
   */
  documentLinks?: string[];
}

const PROSE_EXTENSIONS = new Set(['.md', '.markdown', '.txt']);
const FENCE = /^(```|~~~)[ \t]*(ya?ml)[ \t]*\r?\n([\s\S]*?)^\1[ \t]*$/gim;
const LINK = /https?:\/\/[^\s)>\]"']+/g;

/**
 * Rules as write-ups publish them: YAML in fenced ```yml blocks inside
 * Markdown or text. Each block loads as written; the prose around them
 * contributes its links.
 */
export function loadSigmaProse(text: string, file?: string): LoadedFile {
  const result: LoadedFile = { file: file ?? '<text>', documents: [], errors: [], documentLinks: [] };
  let prose = text;
  for (const m of text.matchAll(FENCE)) {
    const block = loadSigmaText(m[3], file);
    result.documents.push(...block.documents);
    result.errors.push(...block.errors);
    prose = prose.replace(m[0], '');
  }
  result.documentLinks = [...new Set(prose.match(LINK) ?? [])];
  if (result.documents.length === 0 && result.errors.length === 0) {
    result.errors.push(new SigmaError('no ```yml block holding a Sigma rule in this document', { file }));
  }
  return result;
}

export function loadSigmaText(text: string, file?: string): LoadedFile {
  const result: LoadedFile = { file: file ?? '<text>', documents: [], errors: [] };
  let docs;
  try {
    docs = parseAllDocuments(text, { uniqueKeys: true });
  } catch (e) {
    result.errors.push(new SigmaError(`YAML: ${(e as Error).message}`, { file }));
    return result;
  }
  const list = Array.isArray(docs) ? docs : [docs];
  let global: Record<string, unknown> = {};
  let previous: Record<string, unknown> | undefined;
  for (const doc of list) {
    if (doc.errors.length > 0) {
      result.errors.push(new SigmaError(`YAML: ${doc.errors[0].message}`, { file }));
      continue;
    }
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) continue;
    if (!isPlainObject(value)) {
      result.errors.push(new SigmaError('a Sigma document must be a YAML map', { file }));
      continue;
    }
    const action = value.action;
    let merged: Record<string, unknown>;
    if (action === 'global') {
      global = withoutAction(value);
      continue;
    } else if (action === 'reset') {
      global = {};
      continue;
    } else if (action === 'repeat') {
      if (!previous) {
        result.errors.push(new SigmaError("'action: repeat' without a previous document", { file }));
        continue;
      }
      merged = deepMerge(previous, withoutAction(value));
    } else if (action !== undefined) {
      result.errors.push(new SigmaError(`unknown collection action '${String(action)}'`, { file }));
      continue;
    } else {
      merged = deepMerge(global, value);
    }
    previous = merged;
    try {
      result.documents.push(parseDocument(merged, file));
    } catch (e) {
      if (e instanceof SigmaError) result.errors.push(e);
      else result.errors.push(new SigmaError(String(e), { file }));
    }
  }
  return result;
}

export function loadSigmaFile(file: string): LoadedFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return { file, documents: [], errors: [new SigmaError(`cannot read: ${(e as Error).message}`, { file })] };
  }
  return PROSE_EXTENSIONS.has(extname(file).toLowerCase()) ? loadSigmaProse(text, file) : loadSigmaText(text, file);
}

/**
 * Every .yml/.yaml file under the given folders, sorted for stable output,
 * plus every file named directly (whatever its extension: a Markdown
 * write-up with rules in it, say).
 */
export function findRuleFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  const visit = (p: string, named: boolean): void => {
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) visit(join(p, name), false);
    } else if (named || ['.yml', '.yaml'].includes(extname(p).toLowerCase())) {
      out.push(p);
    }
  };
  for (const p of paths) visit(p, true);
  return out;
}

function withoutAction(v: Record<string, unknown>): Record<string, unknown> {
  const { action: _ignored, ...rest } = v;
  return rest;
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = isPlainObject(prev) && isPlainObject(v) ? deepMerge(prev, v) : v;
  }
  return out;
}
