/**
 * Required literals of a regular expression, for the prefilter: a set of
 * strings such that any text the regex matches contains one of them.
 *
 *   'foo\.exe'           → {"foo.exe"}
 *   '(abc|xyz)[0-9]+q'   → {"abc", "xyz"}      (best of the concatenation)
 *   'a*b?'               → undefined           (nothing is required)
 *
 * A small conservative parser: anything it does not understand makes the
 * affected piece "unknown", which can only widen the result, never make it
 * wrong. Case is ignored (the prefilter folds case anyway).
 */

type Lit = Set<string> | undefined; // undefined = no required literal

interface Node {
  /** Required literals anywhere inside. */
  req: Lit;
  /** When the node is one exact literal string (for joining neighbours). */
  exact?: string;
}

const MAX_SET = 64;

export function regexLiterals(pattern: string): Set<string> | undefined {
  let i = 0;
  const src = pattern;

  function parseAlt(): Node {
    const branches: Node[] = [parseSeq()];
    while (src[i] === '|') {
      i++;
      branches.push(parseSeq());
    }
    if (branches.length === 1) return branches[0];
    const out = new Set<string>();
    for (const b of branches) {
      if (!b.req) return { req: undefined };
      for (const x of b.req) out.add(x);
    }
    return { req: out.size > MAX_SET ? undefined : out };
  }

  function parseSeq(): Node {
    const items: Node[] = [];
    let run = '';
    let pure = true; // every atom so far was a literal taken exactly once
    const flush = (): void => {
      if (run) items.push({ req: new Set([run]), exact: run });
      run = '';
    };
    while (i < src.length && src[i] !== '|' && src[i] !== ')') {
      const atom = parseAtom();
      const q = parseQuantifier();
      if (q === 'optional') {
        pure = false;
        flush();
        continue;
      }
      if (atom.exact !== undefined && q === 'one') {
        run += atom.exact;
        continue;
      }
      // '+' or a non-literal atom: the atom is required but ends the literal run.
      pure = false;
      flush();
      if (atom.exact !== undefined) {
        items.push({ req: new Set([atom.exact]), exact: undefined });
      } else {
        items.push(atom);
      }
    }
    if (pure) return { req: run ? new Set([run]) : undefined, exact: run };
    flush();
    return { req: bestOf(items) };
  }

  function parseQuantifier(): 'one' | 'optional' | 'plus' {
    const c = src[i];
    let kind: 'one' | 'optional' | 'plus' = 'one';
    if (c === '*' || c === '?') {
      i++;
      kind = 'optional';
    } else if (c === '+') {
      i++;
      kind = 'plus';
    } else if (c === '{') {
      const m = /^\{(\d*)(,?)(\d*)\}/.exec(src.slice(i));
      if (m) {
        i += m[0].length;
        const min = m[1] === '' ? 0 : Number(m[1]);
        kind = min === 0 ? 'optional' : min === 1 && m[2] === '' ? 'one' : 'plus';
      } else {
        return 'one';
      }
    } else {
      return 'one';
    }
    if (src[i] === '?' || src[i] === '+') i++; // lazy / possessive
    return kind;
  }

  function parseAtom(): Node {
    const c = src[i];
    if (c === '(') {
      i++;
      if (src[i] === '?') {
        // (?:…), (?i), (?i:…), (?P<name>…), lookarounds
        const m = /^\?([a-zA-Z]*)(:|\)|P?<[A-Za-z_][\w]*>|<?[=!])/.exec(src.slice(i));
        if (!m) return skipGroup();
        i += m[0].length;
        if (m[2] === ')') return { req: undefined, exact: '' }; // inline flag group: matches empty
        if (m[2].endsWith('=') || m[2].endsWith('!')) {
          skipToClose();
          return { req: undefined };
        }
      }
      const inner = parseAlt();
      if (src[i] === ')') i++;
      return inner;
    }
    if (c === '[') {
      skipClass();
      return { req: undefined };
    }
    if (c === '\\') {
      const n = src[i + 1];
      i += 2;
      if (n === undefined) return { req: undefined };
      if (/[dDwWsSbBAzZGpPQEkK0-9]/.test(n)) {
        if (n === 'p' || n === 'P') {
          if (src[i] === '{') while (i < src.length && src[i] !== '}') i++;
          i++;
        }
        return { req: undefined, exact: n === 'b' || n === 'B' || n === 'A' || n === 'z' || n === 'Z' || n === 'G' ? '' : undefined };
      }
      if (n === 'x') {
        const m = /^([0-9a-fA-F]{2})/.exec(src.slice(i));
        if (m) {
          i += 2;
          return lit(String.fromCharCode(parseInt(m[1], 16)));
        }
        return { req: undefined };
      }
      if (n === 'n') return lit('\n');
      if (n === 't') return lit('\t');
      if (n === 'r') return lit('\r');
      if (/[a-zA-Z]/.test(n)) return { req: undefined };
      return lit(n);
    }
    if (c === '.') {
      i++;
      return { req: undefined };
    }
    if (c === '^' || c === '$') {
      i++;
      return { req: undefined, exact: '' };
    }
    i++;
    return lit(c);
  }

  function lit(s: string): Node {
    return { req: new Set([s]), exact: s };
  }

  function skipClass(): void {
    i++;
    if (src[i] === '^') i++;
    if (src[i] === ']') i++;
    while (i < src.length && src[i] !== ']') {
      if (src[i] === '\\') i++;
      i++;
    }
    i++;
  }

  function skipToClose(): void {
    let depth = 1;
    while (i < src.length && depth > 0) {
      if (src[i] === '\\') i++;
      else if (src[i] === '[') {
        skipClass();
        continue;
      } else if (src[i] === '(') depth++;
      else if (src[i] === ')') depth--;
      i++;
    }
  }

  function skipGroup(): Node {
    skipToClose();
    return { req: undefined };
  }

  try {
    const node = parseAlt();
    if (i < src.length) return undefined; // unbalanced ')': give up safely
    return node.req && node.req.size > 0 && [...node.req].every((x) => x.length > 0) ? node.req : undefined;
  } catch {
    return undefined;
  }
}

function bestOf(items: Node[]): Lit {
  let best: Lit;
  let bestScore = -1;
  for (const it of items) {
    if (!it.req || it.req.size === 0) continue;
    let min = Infinity;
    for (const x of it.req) min = Math.min(min, x.length);
    if (min === 0) continue;
    const score = Math.min(min, 12) * 10 - Math.log2(it.req.size + 1);
    if (score > bestScore) {
      best = it.req;
      bestScore = score;
    }
  }
  return best;
}
