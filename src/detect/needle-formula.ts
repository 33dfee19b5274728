/**
 * A rule's whole raw-text precondition, not just one necessary set.
 *
 * needles.ts keeps, per rule, ONE set of literals of which some must occur
 * (for `a and b` only the more selective side). That set decides which lines
 * are looked at. Once a line is looked at, this formula prunes further: every
 * positive item becomes "one of its needles occurs", `and`/`or` keep their
 * meaning, and anything under `not` (or an item without literals) becomes
 * true.
 *
 *   sel1 and sel2 and not filter   →   any(n1…) ∧ any(n2…)
 *
 * Soundness: each item implies its needle test, and `and`/`or` are monotone,
 * so rule matches ⇒ formula holds. A line whose formula fails cannot match the
 * rule and needs no parse for it.
 */
import { foldCondition } from '../sigma/condition.js';
import type { Detection, DetectionItem, SigmaRule } from '../sigma/model.js';
import { valueNeedles, type DerivedPolicy, type Needles } from './needles.js';

/** true: no constraint. Leaf: some needle id occurs. */
export type Formula = true | { readonly any: readonly number[] } | { readonly and: readonly Formula[] } | { readonly or: readonly Formula[] };

/** Builds the rule's formula; `idOf` numbers needle strings (shared with the scanner). */
export function ruleFormula(rule: SigmaRule, derived: DerivedPolicy, idOf: (needle: string) => number): Formula {
  return foldCondition<Formula>(rule.condition, [...rule.detections.keys()],
    (n) => detectionFormula(rule.detections.get(n)!, derived, idOf),
    { and, or, not: () => true });
}

function detectionFormula(d: Detection, derived: DerivedPolicy, idOf: (n: string) => number): Formula {
  const item = (i: DetectionItem): Formula => itemFormula(i, derived, idOf);
  switch (d.kind) {
    case 'keywords': return item(d.item);
    case 'map': return and(d.map.items.map(item));
    case 'anyOf': return or(d.maps.map((m) => and(m.items.map(item))));
  }
}

function itemFormula(item: DetectionItem, derived: DerivedPolicy, idOf: (n: string) => number): Formula {
  const perValue = valueNeedles(item, derived);
  if (perValue === null) return true;
  const leaves = perValue.map((s: Needles): Formula => (s === null || s.size === 0 || !worthScanning(s) ? true : { any: [...s].map(idOf) }));
  return item.modifiers.includes('all') ? and(leaves) : or(leaves);
}

/**
 * Needles shorter than this are left out of formulas (the leaf holds): "10"
 * from a GrantedAccess suffix occurs dozens of times in every Sysmon line,
 * and each hit costs the scanner more than the rare line it could prune.
 */
const MIN_FORMULA_NEEDLE_BYTES = 3;

function worthScanning(s: ReadonlySet<string>): boolean {
  for (const n of s) if (Buffer.byteLength(n) < MIN_FORMULA_NEEDLE_BYTES) return false;
  return true;
}

function and(parts: Formula[]): Formula {
  const kept = parts.filter((p) => p !== true);
  if (kept.length === 0) return true;
  return kept.length === 1 ? kept[0] : { and: kept };
}

function or(parts: Formula[]): Formula {
  if (parts.length === 0 || parts.some((p) => p === true)) return true;
  // Merge leaves: any(a) ∨ any(b) = any(a ∪ b).
  const ids = new Set<number>();
  const rest: Formula[] = [];
  for (const p of parts) {
    if (p !== true && 'any' in p) for (const id of p.any) ids.add(id);
    else rest.push(p);
  }
  if (ids.size > 0) rest.push({ any: [...ids] });
  return rest.length === 1 ? rest[0] : { or: rest };
}

/** Whether the formula holds when needle `id` occurred iff seen[id] === gen. */
export function formulaHolds(f: Formula, seen: Int32Array, gen: number): boolean {
  if (f === true) return true;
  if ('any' in f) {
    const ids = f.any;
    for (let i = 0; i < ids.length; i++) if (seen[ids[i]] === gen) return true;
    return false;
  }
  if ('and' in f) {
    for (const p of f.and) if (!formulaHolds(p, seen, gen)) return false;
    return true;
  }
  for (const p of f.or) if (formulaHolds(p, seen, gen)) return true;
  return false;
}

/** Every needle id the formula reads (a scanner that finds all of them can judge it). */
export function formulaNeedleIds(f: Formula, out: Set<number> = new Set()): Set<number> {
  if (f === true) return out;
  if ('any' in f) for (const id of f.any) out.add(id);
  else for (const p of 'and' in f ? f.and : f.or) formulaNeedleIds(p, out);
  return out;
}
