/**
 * Prefilter needles: for each rule, a set of literal strings such that the
 * rule can only match an event whose raw text contains at least one of them.
 *
 *   sel: Image|endswith: ['\netstat.exe', '\ss.exe']   → {"\\netstat.exe", "\\ss.exe"}
 *   a and b      → the more selective of needles(a), needles(b)
 *   a or b       → needles(a) ∪ needles(b)      (ANY if either is ANY)
 *   not a        → ANY
 *
 * ANY (null) means "no literal is required", and such a rule must see
 * every event. Needles are in the raw text's form: lower-case, JSON-escaped.
 */
import type { ConditionNode } from '../sigma/condition.js';
import { expandOfTarget } from '../sigma/condition.js';
import type { Detection, DetectionItem, SigmaRule } from '../sigma/model.js';
import { plainString, type SigmaString } from '../sigma/sigma-string.js';
import { base64, base64offset, windash } from './modifiers/encode.js';

export type Needles = ReadonlySet<string> | null;

/** Fields whose values normalization composes: 'split' = built from backslash-joined raw pieces. */
export type DerivedPolicy = ReadonlyMap<string, 'split' | 'none'>;

const NO_LITERAL_MODS = new Set(['re', 'cidr', 'lt', 'lte', 'gt', 'gte', 'fieldref', 'exists', 'neq', 'expand',
  'minute', 'hour', 'day', 'week', 'month', 'year', 'wide', 'utf16le', 'utf16be', 'utf16']);
/** Needles longer than this are cut: any substring of a required literal is itself required. */
const MAX_NEEDLE = 24;

export function ruleNeedles(rule: SigmaRule, derived: DerivedPolicy): Needles {
  const names = [...rule.detections.keys()];
  const memo = new Map<string, Needles>();
  const forName = (n: string): Needles => {
    if (!memo.has(n)) memo.set(n, detectionNeedles(rule.detections.get(n)!, derived));
    return memo.get(n)!;
  };
  const walk = (node: ConditionNode): Needles => {
    switch (node.op) {
      case 'ref': return forName(node.name);
      case 'not': return null;
      case 'and': return best(node.args.map(walk));
      case 'or': return union(node.args.map(walk));
      case 'of': {
        const sets = expandOfTarget(node.target, names).map(forName);
        return node.quant === 'all' ? best(sets) : union(sets);
      }
    }
  };
  return walk(rule.condition);
}

function detectionNeedles(d: Detection, derived: DerivedPolicy): Needles {
  switch (d.kind) {
    case 'keywords': return itemNeedles(d.item, derived);
    case 'map': return best(d.map.items.map((i) => itemNeedles(i, derived)));
    case 'anyOf': return union(d.maps.map((m) => best(m.items.map((i) => itemNeedles(i, derived)))));
  }
}

function itemNeedles(item: DetectionItem, derived: DerivedPolicy): Needles {
  if (item.modifiers.some((m) => NO_LITERAL_MODS.has(m))) return null;
  const policy = item.field ? derived.get(item.field.toLowerCase()) : undefined;
  if (policy === 'none') return null;
  const perValue: Needles[] = item.values.map((v) => {
    if (v.kind === 'null') return null;
    const s: SigmaString = v.kind === 'string' ? v.value : plainString(v.kind === 'number' ? v.text : String(v.value));
    let variants: SigmaString[] = [s];
    try {
      for (const m of item.modifiers) {
        if (m === 'base64') variants = variants.map(base64);
        else if (m === 'base64offset') variants = variants.flatMap(base64offset);
        else if (m === 'windash') variants = variants.flatMap(windash);
      }
    } catch {
      return null;
    }
    const out = new Set<string>();
    for (const variant of variants) {
      const n = literalNeedle(variant, policy === 'split');
      if (n === undefined) return null;
      out.add(n);
    }
    return out;
  });
  return item.modifiers.includes('all') ? best(perValue) : union(perValue);
}

/** The longest raw-text literal inside a value, or undefined when none is usable. */
function literalNeedle(s: SigmaString, splitBackslash: boolean): string | undefined {
  let bestPiece = '';
  for (const p of s.parts) {
    if (typeof p !== 'string') continue;
    const pieces = splitBackslash ? p.split('\\') : [p];
    for (const piece of pieces) {
      // Non-ASCII may be escaped (\uXXXX) or raw UTF-8 in the file: keep ASCII runs only.
      for (const run of piece.split(/[^\x20-\x7e\t]+/)) {
        const raw = jsonEscape(run.toLowerCase());
        if (raw.length > bestPiece.length) bestPiece = raw;
      }
    }
  }
  if (bestPiece === '') return undefined;
  return bestPiece.length > MAX_NEEDLE ? bestPiece.slice(0, MAX_NEEDLE) : bestPiece;
}

/** How the text appears inside a JSON string literal. */
function jsonEscape(s: string): string {
  return JSON.stringify(s).slice(1, -1);
}

function union(sets: Needles[]): Needles {
  const out = new Set<string>();
  for (const s of sets) {
    if (s === null) return null;
    for (const x of s) out.add(x);
  }
  return out;
}

/** Of several necessary sets, the one least likely to hit: long needles, few of them. */
function best(sets: Needles[]): Needles {
  let chosen: Needles = null;
  let chosenScore = -Infinity;
  for (const s of sets) {
    if (s === null || s.size === 0) continue;
    const score = selectivity(s);
    if (score > chosenScore) {
      chosen = s;
      chosenScore = score;
    }
  }
  return chosen;
}

function selectivity(s: ReadonlySet<string>): number {
  let minLen = Infinity;
  for (const x of s) minLen = Math.min(minLen, x.length);
  // Short needles hit almost everything; each extra alternative adds a little risk.
  return Math.min(minLen, 12) * 10 - Math.log2(s.size + 1);
}
