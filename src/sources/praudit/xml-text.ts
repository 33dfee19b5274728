/**
 * Text as `praudit -x` prints it. OpenBSM's printer (libbsm bsm_io.c) writes
 * exec arguments and text through an XML sanitizer: `& < > " '` become
 * `&amp; &lt; &gt; &quot; &apos;` and every other character goes through
 * vis(3) in C style (a backslash doubled, control and non-ASCII bytes as
 * `\n`, `\^C`, `\M-x`, `\ooo` …). Paths and user names are printed raw, so a
 * bare `&` or `<` can appear there and is kept as it stands.
 */

export interface DecodeProblem {
  /** Character index in the input where the bad reference starts. */
  readonly at: number;
  readonly message: string;
}

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
/** The longest reference we look for: `&#x10FFFF;` is 10 characters. */
const MAX_REF = 12;

/**
 * XML character and entity references decoded. A `&` that does not start
 * something shaped like a reference (`&name;`, `&#…;`) is literal, as raw
 * praudit fields print it; a reference-shaped one that is unknown or names
 * no character is a problem (at = base + its index in s), kept literally.
 */
export function decodeEntities(s: string, problems: DecodeProblem[], base = 0): string {
  if (s.indexOf('&') < 0) return s;
  let out = '';
  let from = 0;
  for (let i = s.indexOf('&'); i >= 0; i = s.indexOf('&', i + 1)) {
    // Look no further than a reference can be long: an unbounded search per '&' is quadratic.
    const semi = s.slice(i + 1, i + 1 + MAX_REF).indexOf(';');
    if (semi < 0) continue;
    const semiAt = i + 1 + semi;
    const body = s.slice(i + 1, semiAt);
    if (!/^(#[0-9A-Za-z]*|[A-Za-z][A-Za-z0-9]*)$/.test(body)) continue;
    let ch: string | undefined;
    if (body[0] === '#') {
      const code = /^#\d+$/.test(body) ? Number(body.slice(1)) : /^#x[0-9A-Fa-f]+$/.test(body) ? parseInt(body.slice(2), 16) : NaN;
      if (isXmlChar(code)) ch = String.fromCodePoint(code);
    } else {
      ch = NAMED[body];
    }
    if (ch === undefined) {
      problems.push({ at: base + i, message: `bad XML reference &${body}; (kept as written)` });
      continue;
    }
    out += s.slice(from, i) + ch;
    from = semiAt + 1;
    i = semiAt;
  }
  return out + s.slice(from);
}

/** A character XML 1.0 allows (NUL and most controls excluded). */
function isXmlChar(c: number): boolean {
  if (!Number.isInteger(c)) return false;
  return c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
}

const C_ESCAPES: Record<string, number> = { n: 0x0a, r: 0x0d, t: 0x09, b: 0x08, a: 0x07, v: 0x0b, f: 0x0c, s: 0x20, E: 0x1b, '\\': 0x5c };

/**
 * vis(3) undone (the strunvis forms): bytes come back, and the result is read
 * as UTF-8 (vis encodes a multi-byte character byte by byte). A backslash
 * that starts no known form stays a backslash.
 */
export function unvis(s: string): string {
  if (s.indexOf('\\') < 0) return s;
  const bytes: number[] = [];
  const push = (text: string): void => {
    for (const b of Buffer.from(text, 'utf8')) bytes.push(b);
  };
  let i = 0;
  while (i < s.length) {
    const bs = s.indexOf('\\', i);
    if (bs < 0) {
      push(s.slice(i));
      break;
    }
    push(s.slice(i, bs));
    const [byte, len] = visSequence(s, bs);
    if (byte === undefined) {
      bytes.push(0x5c);
      i = bs + 1;
    } else {
      bytes.push(byte);
      i = bs + len;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** The byte a vis sequence at s[i] (a backslash) stands for, and its length; [undefined, 0] if none. */
function visSequence(s: string, i: number): [number | undefined, number] {
  const c = s[i + 1];
  if (c === undefined) return [undefined, 0];
  if (c in C_ESCAPES) return [C_ESCAPES[c], 2];
  const octal = /^[0-7]{1,3}/.exec(s.slice(i + 1, i + 4));
  if (octal) {
    const v = parseInt(octal[0], 8);
    return v <= 0xff ? [v, 1 + octal[0].length] : [undefined, 0];
  }
  if (c === '^') return control(s[i + 2], 3, 0);
  if (c === 'M') {
    if (s[i + 2] === '-' && s[i + 3] !== undefined) return [0x80 | (s.charCodeAt(i + 3) & 0x7f), 4];
    if (s[i + 2] === '^') return control(s[i + 3], 4, 0x80);
  }
  return [undefined, 0];
}

function control(c: string | undefined, len: number, meta: number): [number | undefined, number] {
  if (c === undefined) return [undefined, 0];
  if (c === '?') return [meta | 0x7f, len];
  const code = c.charCodeAt(0);
  return code >= 0x40 && code <= 0x5f ? [meta | (code & 0x1f), len] : [undefined, 0];
}
