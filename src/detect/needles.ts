/**
 * Prefilter needles: for each rule, a set of literal strings such that the
 * rule can only match an event whose raw text contains at least one of them.
 *
 *   sel: Image|endswith: ['\netstat.exe', '\ss.exe']   → {"\\netstat.exe", "\\ss.exe"}
 *   a and b      → the more selective of needles(a), needles(b) (one whose
 *                  needles every event of the rule's logsource holds, last)
 *   a or b       → needles(a) ∪ needles(b)      (ANY if either is ANY)
 *   not a        → ANY
 *
 * ANY (null) means "no literal is required", and such a rule must see
 * every event. Needles are in the raw text's form: lower-case, JSON-escaped.
 */
import { foldCondition } from '../sigma/condition.js';
import type { Detection, DetectionItem, SigmaRule } from '../sigma/model.js';
import { plainString, type SigmaString } from '../sigma/sigma-string.js';
import { MANY, ONE } from '../sigma/sigma-string.js';
import { base64, base64offset, windash } from './modifiers/encode.js';
import { regexLiterals } from './regex-literals.js';
import { unionOrOpen } from './open-sets.js';

export type Needles = ReadonlySet<string> | null;

/** Fields whose values normalization composes: 'split' = built from backslash-joined raw pieces. */
export type DerivedPolicy = ReadonlyMap<string, 'split' | 'none'>;
/** The derived-field policy that applies to a rule of the given logsource product. */
export type DerivedPolicyByProduct = (product: string | undefined) => DerivedPolicy;

const NO_LITERAL_MODS = new Set(['cidr', 'lt', 'lte', 'gt', 'gte', 'fieldref', 'exists', 'neq', 'expand',
  'minute', 'hour', 'day', 'week', 'month', 'year', 'wide', 'utf16le', 'utf16be', 'utf16']);
/** Needles longer than this are cut: any substring of a required literal is itself required. */
const MAX_NEEDLE = 16;

/**
 * `implied`: texts every event the rule can meet holds in its raw text (its
 * logsource's routing values, e.g. `"security"`, the channel of every
 * security event): a set of needles found in them would mark the rule on
 * every event, so it is chosen only when no other set is available.
 */
export function ruleNeedles(rule: SigmaRule, derived: DerivedPolicy, implied: readonly string[] = []): Needles {
  const pick = (sets: Needles[]): Needles => best(sets, implied);
  return foldCondition<Needles>(rule.condition, [...rule.detections.keys()],
    (n) => detectionNeedles(rule.detections.get(n)!, derived, pick),
    { and: pick, or: unionOrOpen, not: () => null });
}

function detectionNeedles(d: Detection, derived: DerivedPolicy, pick: (sets: Needles[]) => Needles): Needles {
  switch (d.kind) {
    case 'keywords': return itemNeedles(d.item, derived, pick);
    case 'map': return pick(d.map.items.map((i) => itemNeedles(i, derived, pick)));
    case 'anyOf': return unionOrOpen(d.maps.map((m) => pick(m.items.map((i) => itemNeedles(i, derived, pick)))));
  }
}

function itemNeedles(item: DetectionItem, derived: DerivedPolicy, pick: (sets: Needles[]) => Needles): Needles {
  const perValue = valueNeedles(item, derived);
  if (perValue === null) return null;
  return item.modifiers.includes('all') ? pick(perValue) : unionOrOpen(perValue);
}

/**
 * Necessary needles of each value of an item (one set per value; the item
 * needs one value's set, or every value's set with `all`). Null when the
 * item's comparison leaves no literal in the raw text at all.
 */
export function valueNeedles(item: DetectionItem, derived: DerivedPolicy): Needles[] | null {
  if (item.modifiers.some((m) => NO_LITERAL_MODS.has(m))) return null;
  const policy = item.field ? derived.get(item.field.toLowerCase()) : undefined;
  if (policy === 'none') return null;
  const isRegex = item.modifiers.includes('re');
  return item.values.map((v) => {
    if (v.kind === 'null') return null;
    if (isRegex) return v.kind === 'string' ? regexNeedles(v.value, policy === 'split') : null;
    const s: SigmaString = v.kind === 'string' ? v.value : plainString(v.kind === 'number' ? v.text : String(v.value));
    let variants: SigmaString[] = [s];
    try {
      for (const m of item.modifiers) {
        if (m === 'base64') variants = variants.map(base64);
        else if (m === 'base64offset') variants = variants.flatMap(base64offset);
        else if (m === 'windash') variants = variants.flatMap(windash);
        else if (m === 'contains') variants = variants.map((x) => ({ ...x, parts: [MANY, ...x.parts, MANY] }));
        else if (m === 'startswith') variants = variants.map((x) => ({ ...x, parts: [...x.parts, MANY] }));
        else if (m === 'endswith') variants = variants.map((x) => ({ ...x, parts: [MANY, ...x.parts] }));
      }
    } catch {
      return null;
    }
    // A value that can only equal a JSON string sits between quotes in the raw
    // text, so its anchored ends can carry the quote: '\\netstat.exe"' is far
    // rarer than '\\netstat.exe'. Numbers and booleans may be unquoted.
    const quoted = item.field !== undefined && policy === undefined && !looksUnquoted(s);
    const out = new Set<string>();
    for (const variant of variants) {
      const n = literalNeedle(variant, policy === 'split', quoted);
      if (n === undefined) return null;
      out.add(n);
    }
    return out;
  });
}

function looksUnquoted(s: SigmaString): boolean {
  const text = s.parts.map((p) => (typeof p === 'string' ? p : '')).join('').trim().toLowerCase();
  return text === '' || text === 'true' || text === 'false' || text === 'null' || /^[-+0-9.eE]+$/.test(text);
}

function regexNeedles(pattern: SigmaString, splitBackslash: boolean): Needles {
  const lits = regexLiterals(pattern.parts.join(''));
  if (!lits) return null;
  const out = new Set<string>();
  for (const l of lits) {
    const n = literalNeedle({ parts: [MANY, l, MANY] }, splitBackslash, false);
    if (n === undefined) return null;
    out.add(n);
  }
  return out;
}

const HIVES = new Set(['hklm', 'hku', 'hkcu', 'hkcr', 'hkcc', 'hkey_local_machine', 'hkey_users', 'hkey_current_user', 'hkey_classes_root']);

/**
 * The best raw-text literal inside a value, or undefined when none is usable.
 * Candidates are the literal runs between wildcards; with `quoted`, a run at
 * the start of the value gains a leading quote and one at the end a trailing quote.
 */
function literalNeedle(s: SigmaString, splitBackslash: boolean, quoted: boolean): string | undefined {
  let bestPiece = '';
  const parts = s.parts;
  for (let pi = 0; pi < parts.length; pi++) {
    const p = parts[pi];
    if (p === MANY || p === ONE) continue;
    const atStart = quoted && pi === 0;
    const atEnd = quoted && pi === parts.length - 1;
    const pieces = splitBackslash ? p.split('\\') : [p];
    pieces.forEach((piece, k) => {
      if (splitBackslash && HIVES.has(piece.toLowerCase())) return;
      const runs = caselessRuns(piece);
      runs.forEach((run, r) => {
        let raw = jsonEscape(run.toLowerCase());
        if (raw === '') return;
        // Quotes only where the run touches the value's own edge.
        if (atStart && k === 0 && r === 0 && piece.startsWith(run)) raw = '"' + raw;
        if (atEnd && k === pieces.length - 1 && r === runs.length - 1 && piece.endsWith(run)) raw = raw + '"';
        if (raw.length > bestPiece.length) bestPiece = raw;
      });
    });
  }
  if (bestPiece === '') return undefined;
  if (bestPiece.length <= MAX_NEEDLE) return bestPiece;
  // The tail: values share their heads (drives, C:\Windows\System32\, hives,
  // program names before their arguments) far more than their ends. Cut
  // between characters: half a surrogate pair is in no UTF-8 text.
  const tail = bestPiece.slice(-MAX_NEEDLE);
  const first = tail.charCodeAt(0);
  return first >= 0xdc00 && first <= 0xdfff ? tail.slice(1) : tail;
}

/**
 * Runs of characters the byte scanner can match case-insensitively: ASCII,
 * and non-ASCII characters without case (emoji, symbols), taken as UTF-8.
 * Lines that write non-ASCII as \\u escapes bypass the prefilter.
 */
function caselessRuns(s: string): string[] {
  const runs: string[] = [];
  let cur = '';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    const ok = (code >= 0x20 && code <= 0x7e) || code === 9 || (code > 0x7f && ch.toLowerCase() === ch.toUpperCase());
    if (ok) cur += ch;
    else {
      if (cur) runs.push(cur);
      cur = '';
    }
  }
  if (cur) runs.push(cur);
  return runs;
}

/** How the text appears inside a JSON string literal. */
function jsonEscape(s: string): string {
  return JSON.stringify(s).slice(1, -1);
}


/** Of several necessary sets, the one least likely to hit: long needles, few of them. */
function best(sets: Needles[], implied: readonly string[]): Needles {
  let chosen: Needles = null;
  let chosenScore = -Infinity;
  for (const s of sets) {
    if (s === null || s.size === 0) continue;
    const score = selectivity(s) - (isImplied(s, implied) ? IMPLIED_PENALTY : 0);
    if (score > chosenScore) {
      chosen = s;
      chosenScore = score;
    }
  }
  return chosen;
}

/** Below any selectivity score: an implied set loses to every other. */
const IMPLIED_PENALTY = 1e6;

function isImplied(s: ReadonlySet<string>, implied: readonly string[]): boolean {
  if (implied.length === 0) return false;
  for (const n of s) if (!implied.some((t) => t.includes(n))) return false;
  return true;
}

function selectivity(s: ReadonlySet<string>): number {
  let minLen = Infinity;
  for (const x of s) minLen = Math.min(minLen, x.length);
  // Short needles hit almost everything; each extra alternative adds a little risk.
  return Math.min(minLen, 12) * 10 - Math.log2(s.size + 1);
}
