/**
 * The Sigma condition grammar (spec "Condition"), loosest binding first:
 *
 *   expr    := and ( "or" and )*
 *   and     := not ( "and" not )*
 *   not     := "not" not | primary
 *   primary := "(" expr ")" | quant "of" target | IDENT
 *   quant   := "1" | "any" | "all"          target := IDENT | PATTERN* | "them"
 *
 * `them` and patterns skip identifiers starting with "_". The retired pipe
 * aggregation (`| count() by x > 5`) is rejected with a pointer to
 * correlation rules, as the reference implementation does.
 */
import { SigmaError } from './errors.js';

export type ConditionNode =
  | { op: 'and' | 'or'; args: ConditionNode[] }
  | { op: 'not'; arg: ConditionNode }
  | { op: 'ref'; name: string }
  | { op: 'of'; quant: 'one' | 'all'; target: string };

type Token = { kind: 'word' | 'lparen' | 'rparen'; text: string; pos: number };

const WORD = /[A-Za-z0-9_*.\-]/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (c === '(' || c === ')') {
      tokens.push({ kind: c === '(' ? 'lparen' : 'rparen', text: c, pos: i });
      i++;
    } else if (c === '|') {
      throw new SigmaError(
        `condition uses the retired pipe aggregation syntax ('${text.slice(i).trim()}'); ` +
          'write it as a Sigma correlation rule instead',
      );
    } else if (WORD.test(c)) {
      const start = i;
      while (i < text.length && WORD.test(text[i])) i++;
      tokens.push({ kind: 'word', text: text.slice(start, i), pos: start });
    } else {
      throw new SigmaError(`unexpected character '${c}' at position ${i + 1} in condition '${text}'`);
    }
  }
  return tokens;
}

const KEYWORDS = new Set(['and', 'or', 'not', 'of', 'them', '1', 'any', 'all']);

export function parseCondition(text: string): ConditionNode {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const isWord = (t: Token | undefined, w: string): boolean =>
    t !== undefined && t.kind === 'word' && t.text.toLowerCase() === w;
  const fail = (msg: string): never => {
    const t = peek();
    const at = t ? `'${t.text}' at position ${t.pos + 1}` : 'end of condition';
    throw new SigmaError(`${msg}, found ${at} in condition '${text}'`);
  };

  function parseOr(): ConditionNode {
    const args = [parseAnd()];
    while (isWord(peek(), 'or')) {
      pos++;
      args.push(parseAnd());
    }
    return args.length === 1 ? args[0] : { op: 'or', args };
  }
  function parseAnd(): ConditionNode {
    const args = [parseNot()];
    while (isWord(peek(), 'and')) {
      pos++;
      args.push(parseNot());
    }
    return args.length === 1 ? args[0] : { op: 'and', args };
  }
  function parseNot(): ConditionNode {
    if (isWord(peek(), 'not')) {
      pos++;
      return { op: 'not', arg: parseNot() };
    }
    return parsePrimary();
  }
  function parsePrimary(): ConditionNode {
    const t = peek();
    if (!t) return fail('expected an identifier');
    if (t.kind === 'lparen') {
      pos++;
      const inner = parseOr();
      if (peek()?.kind !== 'rparen') fail("expected ')'");
      pos++;
      return inner;
    }
    if (t.kind === 'rparen') return fail('expected an identifier');
    const lower = t.text.toLowerCase();
    if ((lower === '1' || lower === 'any' || lower === 'all') && isWord(tokens[pos + 1], 'of')) {
      pos += 2;
      const target = peek();
      if (!target || target.kind !== 'word') return fail(`expected an identifier, pattern or 'them' after '${t.text} of'`);
      const tl = target.text.toLowerCase();
      if (KEYWORDS.has(tl) && tl !== 'them') return fail(`expected an identifier, pattern or 'them' after '${t.text} of'`);
      pos++;
      return { op: 'of', quant: lower === 'all' ? 'all' : 'one', target: tl === 'them' ? 'them' : target.text };
    }
    if (KEYWORDS.has(lower)) return fail('expected an identifier');
    if (t.text.includes('*')) return fail(`a pattern needs '1 of' or 'all of' before it`);
    pos++;
    return { op: 'ref', name: t.text };
  }

  if (tokens.length === 0) throw new SigmaError('condition is empty');
  const node = parseOr();
  if (pos < tokens.length) fail('expected end of condition');
  return node;
}

/** Identifiers an `of` target selects, following the `_` rule for them/patterns. */
export function expandOfTarget(target: string, names: readonly string[]): string[] {
  if (target === 'them') return names.filter((n) => !n.startsWith('_'));
  if (!target.includes('*')) return names.filter((n) => n === target);
  const re = new RegExp('^' + target.split('*').map(escapeRegExp).join('.*') + '$');
  return names.filter((n) => re.test(n) && !n.startsWith('_'));
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Every identifier a condition names (directly or through of-targets). */
export function referencedIdentifiers(node: ConditionNode, names: readonly string[]): Set<string> {
  const out = new Set<string>();
  const walk = (n: ConditionNode): void => {
    switch (n.op) {
      case 'and':
      case 'or':
        n.args.forEach(walk);
        break;
      case 'not':
        walk(n.arg);
        break;
      case 'ref':
        out.add(n.name);
        break;
      case 'of':
        for (const x of expandOfTarget(n.target, names)) out.add(x);
        break;
    }
  };
  walk(node);
  return out;
}

/**
 * Evaluates a condition in any algebra: each identifier maps to a value once
 * (memoized), `and`/`or`/`not` and of-targets combine values. Compilation,
 * the prefilter's needle sets and its formulas are all folds of this kind.
 */
export interface ConditionAlgebra<T> {
  and(parts: T[]): T;
  or(parts: T[]): T;
  not(part: T): T;
}

export function foldCondition<T>(node: ConditionNode, names: readonly string[], leaf: (name: string) => T, alg: ConditionAlgebra<T>): T {
  const memo = new Map<string, T>();
  const forName = (n: string): T => {
    if (!memo.has(n)) memo.set(n, leaf(n));
    return memo.get(n)!;
  };
  const walk = (n: ConditionNode): T => {
    switch (n.op) {
      case 'ref': return forName(n.name);
      case 'not': return alg.not(walk(n.arg));
      case 'and': return alg.and(n.args.map(walk));
      case 'or': return alg.or(n.args.map(walk));
      case 'of': {
        const parts = expandOfTarget(n.target, names).map(forName);
        return n.quant === 'all' ? alg.and(parts) : alg.or(parts);
      }
    }
  };
  return walk(node);
}
