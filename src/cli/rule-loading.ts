/** Loads the built-in pack and user rule paths into a Detector, reporting every rule left out. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { prepareRuleSet } from '../correlate/prepare.js';
import { Detector } from '../detect/engine.js';
import { derivedPolicyFor, impliedTexts } from '../normalize/index.js';
import type { SigmaError } from '../sigma/errors.js';
import { findRuleFiles, loadSigmaFile } from '../sigma/load.js';
import type { SigmaDocument } from '../sigma/model.js';

/** rules/ at the package root (dist/src/cli → ../../../rules). */
export const BUILTIN_RULES = fileURLToPath(new URL('../../../rules', import.meta.url));

export interface RuleLoad {
  detector: Detector;
  /** The documents the detector was built from (after legacy conversion): plain data, so a worker thread can build the same detector without reading the files again. */
  documents: SigmaDocument[];
  files: number;
  errors: SigmaError[];
  /** How rules were read beyond the letter (legacy field names, legacy timeframes). */
  notes: string[];
}

export function parsePlaceholders(specs: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const s of specs) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new Error(`--placeholder expects NAME=VALUE, got '${s}'`);
    const name = s.slice(0, eq).replace(/^%|%$/g, '');
    out.set(name, [...(out.get(name) ?? []), s.slice(eq + 1)]);
  }
  return out;
}

/** A detector from documents loadRules produced (in a worker thread): the same rules, in the same order. */
export function detectorFromDocuments(documents: SigmaDocument[], placeholders: Map<string, string[]>): Detector {
  return new Detector(documents, { placeholders, derived: derivedPolicyFor, implied: impliedTexts });
}

export function loadRules(paths: readonly string[], builtin: boolean, placeholders: Map<string, string[]>): RuleLoad {
  const all = [...(builtin && existsSync(BUILTIN_RULES) ? [BUILTIN_RULES] : []), ...paths];
  const files = findRuleFiles(all);
  const docs: SigmaDocument[] = [];
  const errors: SigmaError[] = [];
  for (const f of files) {
    const loaded = loadSigmaFile(f);
    docs.push(...loaded.documents);
    errors.push(...loaded.errors);
  }
  const prepared = prepareRuleSet(docs);
  const detector = detectorFromDocuments(prepared.documents, placeholders);
  errors.push(...detector.errors);
  const notes = prepared.notes.map((n) => `${n.file ? n.file + ': ' : ''}rule '${n.rule}': ${n.message}`);
  return { detector, documents: prepared.documents, files: files.length, errors, notes };
}
