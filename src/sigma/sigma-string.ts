/**
 * A Sigma string value: literal text interleaved with wildcards.
 *
 *   'C:\Windows\*\cmd.exe'  →  ["C:\Windows\", MANY, "\cmd.exe"]
 *
 * Escaping (spec "Wildcards"): `\*` and `\?` are literal, `\\` is one
 * backslash, and a backslash before anything else is itself literal, so
 * `\\*` is a backslash followed by a wildcard.
 */
export const MANY = 0 as const;
export const ONE = 1 as const;
export type Wildcard = typeof MANY | typeof ONE;
export type Part = string | Wildcard;

export interface SigmaString {
  readonly parts: readonly Part[];
  /**
   * Literal parts hold bytes (one char per byte, latin1) rather than text,
   * after a utf16/wide transformation.
   */
  readonly binary?: boolean;
}

export function parseSigmaString(text: string): SigmaString {
  const parts: Part[] = [];
  let lit = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      const n = text[i + 1];
      if (n === '*' || n === '?' || n === '\\') {
        lit += n;
        i++;
      } else {
        lit += c;
      }
    } else if (c === '*' || c === '?') {
      if (lit) parts.push(lit);
      lit = '';
      parts.push(c === '*' ? MANY : ONE);
    } else {
      lit += c;
    }
  }
  if (lit) parts.push(lit);
  return { parts };
}

export function plainString(text: string): SigmaString {
  return { parts: text ? [text] : [] };
}

export function hasWildcards(s: SigmaString): boolean {
  return s.parts.some((p) => typeof p !== 'string');
}

/** The literal text when the value has no wildcards. */
export function literalText(s: SigmaString): string | undefined {
  if (hasWildcards(s)) return undefined;
  return s.parts.join('');
}

export function prependMany(s: SigmaString): SigmaString {
  return s.parts[0] === MANY ? s : { ...s, parts: [MANY, ...s.parts] };
}

export function appendMany(s: SigmaString): SigmaString {
  return s.parts[s.parts.length - 1] === MANY ? s : { ...s, parts: [...s.parts, MANY] };
}

/** Apply a function to every literal part (wildcards pass through). */
export function mapLiterals(s: SigmaString, fn: (lit: string) => string, binary = s.binary): SigmaString {
  return { parts: s.parts.map((p) => (typeof p === 'string' ? fn(p) : p)), binary };
}

/** Render back to Sigma notation (for messages and conversion). */
export function renderSigmaString(s: SigmaString): string {
  return s.parts
    .map((p) => (p === MANY ? '*' : p === ONE ? '?' : p.replace(/[\\*?]/g, (m) => '\\' + m)))
    .join('');
}
