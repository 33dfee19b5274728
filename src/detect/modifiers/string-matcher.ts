/**
 * A Sigma string value → a predicate over event text.
 *
 *   'abc'      exact        'abc*'   prefix        '*abc'  suffix
 *   '*abc*'    substring    anything else (inner * or ?) → anchored RE2 glob
 *
 * Case-insensitive matchers expect the event text already lower-cased (the
 * evaluator lower-cases each field once per event); cased ones get it raw.
 */
import { MANY, ONE, type SigmaString } from '../../sigma/sigma-string.js';
import { compileRegex } from './regex.js';

export type TextPredicate = (text: string) => boolean;

export interface StringMatcher {
  readonly test: TextPredicate;
  /** True when `test` expects lower-cased input. */
  readonly lower: boolean;
}

export function compileStringMatcher(s: SigmaString, cased: boolean): StringMatcher {
  const fold = (x: string): string => (cased ? x : x.toLowerCase());
  const parts = s.parts.map((p) => (typeof p === 'string' ? fold(p) : p));
  const lower = !cased;
  const n = parts.length;
  if (n === 0) return { lower, test: (t) => t === '' };
  const onlyLiteral = (from: number, to: number): boolean =>
    parts.slice(from, to).every((p) => typeof p === 'string');
  if (n === 1 && typeof parts[0] === 'string') {
    const lit = parts[0];
    return { lower, test: (t) => t === lit };
  }
  if (n === 1 && parts[0] === MANY) return { lower, test: () => true };
  if (n === 2 && parts[1] === MANY && onlyLiteral(0, 1)) {
    const lit = parts[0] as string;
    return { lower, test: (t) => t.startsWith(lit) };
  }
  if (n === 2 && parts[0] === MANY && onlyLiteral(1, 2)) {
    const lit = parts[1] as string;
    return { lower, test: (t) => t.endsWith(lit) };
  }
  if (n === 3 && parts[0] === MANY && parts[2] === MANY && typeof parts[1] === 'string') {
    const lit = parts[1];
    return { lower, test: (t) => t.includes(lit) };
  }
  const source =
    '^' +
    parts.map((p) => (p === MANY ? '.*' : p === ONE ? '.' : escapeRegex(p))).join('') +
    '$';
  const re = compileRegex(source, 's');
  return { lower, test: (t) => re.test(t) };
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
