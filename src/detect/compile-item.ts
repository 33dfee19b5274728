/**
 * One detection item (`Field|mod|mod: values`) → a predicate over events.
 *
 * Modifiers apply left to right. Those that rewrite values (contains,
 * startswith, endswith, wide/utf16*, base64, base64offset, windash, expand)
 * run in order on the rule side; the rest pick how the final values are
 * compared (re, cidr, lt/lte/gt/gte, minute…year, fieldref, exists, neq)
 * or how values combine (all: AND instead of OR; cased).
 *
 *   values ──rewrite*──▶ variants per value ──compare──▶ OR over variants
 *                                                         └─ OR (AND with |all) over values
 */
import type { FieldValue, Scalar, SigmaEvent } from '../core/event.js';
import { SigmaError } from '../sigma/errors.js';
import type { DetectionItem, RuleValue } from '../sigma/model.js';
import { MANY, appendMany, literalText, plainString, prependMany, type SigmaString } from '../sigma/sigma-string.js';
import { compileCidr } from './modifiers/cidr.js';
import { base64, base64offset, utf16, windash } from './modifiers/encode.js';
import { compileRegex } from './modifiers/regex.js';
import { compileStringMatcher, type StringMatcher } from './modifiers/string-matcher.js';
import { TIME_PARTS, extractTimePart, type TimePart } from './modifiers/time-part.js';
import { lowerOf, scalarText } from './field-text.js';

export type EventPredicate = (ev: SigmaEvent) => boolean;

export interface CompileOptions {
  /** Values for `expand` placeholders, by name without the % signs. */
  placeholders?: ReadonlyMap<string, readonly string[]>;
  /** Lint: unresolved placeholders become a warning instead of an error. */
  lenientPlaceholders?: boolean;
  warnings?: string[];
}

/** Test of one scalar event value; `ev` is there for fieldref and the lower-case cache. */
type ValueTest = (v: Scalar, ev: SigmaEvent, key: string) => boolean;

const REWRITERS = new Set(['contains', 'startswith', 'endswith', 'wide', 'utf16le', 'utf16be', 'utf16', 'base64', 'base64offset', 'windash', 'expand']);
const COMPARATORS = new Set(['re', 'cidr', 'lt', 'lte', 'gt', 'gte', 'fieldref', 'exists']);
const RE_FLAGS: Record<string, string> = { i: 'i', ignorecase: 'i', m: 'm', multiline: 'm', s: 's', dotall: 's' };

export function compileItem(item: DetectionItem, opts: CompileOptions = {}): EventPredicate {
  const mods = item.modifiers;
  const has = (m: string): boolean => mods.includes(m);
  const comparators = mods.filter((m) => COMPARATORS.has(m));
  const numericCmp = comparators.filter((m) => ['lt', 'lte', 'gt', 'gte'].includes(m));
  if (comparators.length - numericCmp.length > 1 || numericCmp.length > 1) {
    throw new SigmaError(`modifiers ${mods.join('|')} cannot be combined`);
  }
  const reFlags = [...new Set(mods.filter((m) => m in RE_FLAGS).map((m) => RE_FLAGS[m]))].join('');
  if (reFlags && !has('re')) throw new SigmaError(`regex flag modifiers (${mods.join('|')}) need 're'`);
  const timePart = mods.find((m): m is TimePart => (TIME_PARTS as readonly string[]).includes(m));
  const all = has('all');
  const cased = has('cased');
  const key = item.field?.toLowerCase();

  if (has('exists')) {
    if (item.values.length !== 1 || item.values[0].kind !== 'boolean') {
      throw new SigmaError("'exists' takes a single true or false");
    }
    if (key === undefined) throw new SigmaError("'exists' needs a field name");
    const want = item.values[0].value;
    return (ev) => (ev.get(key) !== undefined) === want;
  }

  // Each rule value becomes a list of alternative tests (variants).
  const perValue: ValueTest[][] = item.values.map((v) => compileValue(v, mods, { cased, reFlags, timePart, numericCmp, opts, keyword: key === undefined }));
  const neq = has('neq');

  const testScalar = all
    ? (x: Scalar, ev: SigmaEvent, k: string): boolean => perValue.every((vs) => vs.some((t) => t(x, ev, k)))
    : flattenOr(perValue);

  if (key === undefined) {
    // Keyword search: any value of any field.
    return (ev) => {
      if (all) return perValue.every((vs) => anyFieldValue(ev, (x, k) => vs.some((t) => t(x, ev, k))));
      return anyFieldValue(ev, (x, k) => testScalar(x, ev, k));
    };
  }

  const nullOnly = item.values.every((v) => v.kind === 'null');
  const matchesMissing = item.values.some((v) => v.kind === 'null');
  const positive = (ev: SigmaEvent): boolean => {
    const v = ev.get(key);
    if (v === undefined) return all ? nullOnly : matchesMissing;
    return testField(v, ev, key, testScalar);
  };
  if (neq) return (ev) => !positive(ev);
  return positive;
}

function flattenOr(perValue: ValueTest[][]): ValueTest {
  const tests = perValue.flat();
  if (tests.length === 1) return tests[0];
  return (x, ev, k) => {
    for (let i = 0; i < tests.length; i++) if (tests[i](x, ev, k)) return true;
    return false;
  };
}

function testField(v: FieldValue, ev: SigmaEvent, key: string, test: ValueTest): boolean {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (test(v[i], ev, key + '\u0000' + i)) return true;
    return false;
  }
  return test(v as Scalar, ev, key);
}

function anyFieldValue(ev: SigmaEvent, test: (x: Scalar, key: string) => boolean): boolean {
  for (const [k, v] of ev.entries()) {
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) if (test(v[i], k + '\u0000' + i)) return true;
    } else if (test(v as Scalar, k)) {
      return true;
    }
  }
  return false;
}

interface ValueContext {
  cased: boolean;
  reFlags: string;
  timePart?: TimePart;
  numericCmp: string[];
  opts: CompileOptions;
  keyword: boolean;
}

function compileValue(v: RuleValue, mods: readonly string[], c: ValueContext): ValueTest[] {
  if (v.kind === 'null') {
    return [(x) => x === null];
  }
  // Numeric comparison and date parts compare numbers, not strings.
  if (c.numericCmp.length || c.timePart) {
    return [compileNumeric(v, c.numericCmp[0] ?? 'eq', c.timePart)];
  }
  const text = v.kind === 'string' ? v.value : plainString(v.kind === 'number' ? v.text : String(v.value));
  if (mods.includes('re')) {
    const pattern = literalText(text) ?? '';
    const re = compileRegex(pattern, c.reFlags);
    return [(x) => {
      const t = scalarText(x);
      return t !== undefined && re.test(t);
    }];
  }
  if (mods.includes('cidr')) {
    const inNet = compileCidr(literalText(text) ?? '');
    return [(x) => {
      const t = scalarText(x);
      return t !== undefined && inNet(t);
    }];
  }
  if (mods.includes('fieldref')) return [compileFieldref(literalText(text) ?? '', mods, c.cased)];

  let variants: SigmaString[] = [text];
  for (const m of mods) {
    if (!REWRITERS.has(m)) continue;
    variants = variants.flatMap((s) => rewrite(s, m, c.opts));
  }
  if (c.keyword && !mods.some((m) => m === 'startswith' || m === 'endswith' || m === 'contains')) {
    variants = variants.map((s) => prependMany(appendMany(s)));
  }
  const matchers = variants.map((s) => compileStringMatcher(s, c.cased));
  return matchers.map(scalarTest);
}

function scalarTest(m: StringMatcher): ValueTest {
  if (!m.lower) {
    return (x) => {
      const t = scalarText(x);
      return t !== undefined && m.test(t);
    };
  }
  return (x, ev, key) => {
    if (x === null) return false;
    if (typeof x !== 'string') return m.test(String(x).toLowerCase());
    return m.test(lowerOf(ev, key, x));
  };
}

function rewrite(s: SigmaString, m: string, opts: CompileOptions): SigmaString[] {
  switch (m) {
    case 'contains': return [prependMany(appendMany(s))];
    case 'startswith': return [appendMany(s)];
    case 'endswith': return [prependMany(s)];
    case 'wide': case 'utf16le': case 'utf16be': case 'utf16': return [utf16(s, m)];
    case 'base64': return [base64(s)];
    case 'base64offset': return base64offset(s);
    case 'windash': return windash(s);
    case 'expand': return expandPlaceholders(s, opts);
    default: return [s];
  }
}

/** `%name%` not preceded by a backslash: per spec "Placeholders", `\%` is a plain percent sign. */
const PLACEHOLDER = /(?<!\\)%([A-Za-z0-9_.\-]+)%/g;

function expandPlaceholders(s: SigmaString, opts: CompileOptions): SigmaString[] {
  // Each rule value is scanned once; substituted values are never re-scanned.
  let results: SigmaString['parts'][] = [[]];
  const append = (lit: string): void => {
    const text = lit.replace(/\\%/g, '%');
    if (text) results = results.map((r) => [...r, text]);
  };
  for (const part of s.parts) {
    if (typeof part !== 'string') {
      results = results.map((r) => [...r, part]);
      continue;
    }
    let last = 0;
    for (const m of part.matchAll(PLACEHOLDER)) {
      append(part.slice(last, m.index));
      last = m.index + m[0].length;
      const values = opts.placeholders?.get(m[1]);
      if (!values || values.length === 0) {
        if (!opts.lenientPlaceholders) {
          throw new SigmaError(`placeholder %${m[1]}% has no value (set it with --placeholder ${m[1]}=VALUE)`);
        }
        opts.warnings?.push(`placeholder %${m[1]}% has no value configured: this value never matches`);
        return [];
      }
      results = results.flatMap((r) => values.map((v) => [...r, ...parseValueParts(v)]));
    }
    append(part.slice(last));
  }
  return results.map((parts) => ({ parts: mergeLiterals(parts), binary: s.binary }));
}

/** Adjacent literal parts joined, empty ones dropped (the matcher's fast paths expect this). */
function mergeLiterals(parts: SigmaString['parts']): SigmaString['parts'] {
  const out: SigmaString['parts'][number][] = [];
  for (const p of parts) {
    if (p === '') continue;
    const prev = out[out.length - 1];
    if (typeof p === 'string' && typeof prev === 'string') out[out.length - 1] = prev + p;
    else out.push(p);
  }
  return out;
}

/** Placeholder values may carry their own wildcards. */
function parseValueParts(value: string): SigmaString['parts'] {
  return value.split('*').flatMap((seg, i) => (i === 0 ? [seg] : [MANY, seg]));
}

function compileNumeric(v: RuleValue, op: string, part: TimePart | undefined): ValueTest {
  const target = v.kind === 'number' ? v.value : v.kind === 'string' ? numericText(literalText(v.value) ?? '') : NaN;
  if (!Number.isFinite(target)) {
    throw new SigmaError(`'${part ?? op}' needs a number, got '${v.kind === 'string' ? literalText(v.value) : v.kind}'`);
  }
  const cmp =
    op === 'lt' ? (n: number) => n < target
    : op === 'lte' ? (n: number) => n <= target
    : op === 'gt' ? (n: number) => n > target
    : op === 'gte' ? (n: number) => n >= target
    : (n: number) => n === target;
  return (x) => {
    if (x === null || typeof x === 'boolean') return false;
    let n: number | undefined;
    if (part) n = extractTimePart(x, part);
    else n = typeof x === 'number' ? x : numericText(x);
    return n !== undefined && !Number.isNaN(n) && cmp(n);
  };
}

/**
 * A number written as text: decimal (sign, fraction, exponent) or 0x hex, blanks around
 * allowed. Anything else is NaN: `Number()` alone would also take "Infinity", "0b1", "0o7".
 */
function numericText(text: string): number {
  const t = text.trim();
  return /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(t) || /^0[xX][0-9a-fA-F]+$/.test(t) ? Number(t) : NaN;
}

function compileFieldref(other: string, mods: readonly string[], cased: boolean): ValueTest {
  const otherKey = other.toLowerCase();
  const pos = mods.includes('contains') ? 'contains' : mods.includes('startswith') ? 'startswith' : mods.includes('endswith') ? 'endswith' : 'eq';
  return (x, ev) => {
    const o = ev.get(otherKey);
    if (o === undefined || o === null || Array.isArray(o)) return false;
    let a = scalarText(x);
    let b = scalarText(o as Scalar);
    if (a === undefined || b === undefined) return false;
    if (!cased) {
      a = a.toLowerCase();
      b = b.toLowerCase();
    }
    switch (pos) {
      case 'contains': return a.includes(b);
      case 'startswith': return a.startsWith(b);
      case 'endswith': return a.endsWith(b);
      default: return a === b;
    }
  };
}

