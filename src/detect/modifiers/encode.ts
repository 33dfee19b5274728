/**
 * Value transformations: one rule value in, one or more values out.
 * They act on the literal parts and leave wildcards in place.
 *
 *   'ab' |wide        → 'a\0b\0'            (bytes, latin1 chars)
 *   'ab' |base64      → 'YWI='
 *   'ab' |base64offset→ three shifted encodings, edges trimmed so each is
 *                       a substring of any base64 text containing 'ab'
 *   '-x' |windash     → '-x', '/x', '–x', '—x', '―x'
 */
import { SigmaError } from '../../sigma/errors.js';
import { hasWildcards, mapLiterals, type SigmaString } from '../../sigma/sigma-string.js';

function toBytes(s: string, binary: boolean | undefined): Buffer {
  return Buffer.from(s, binary ? 'latin1' : 'utf8');
}

export function utf16(s: SigmaString, kind: 'utf16le' | 'utf16be' | 'utf16' | 'wide'): SigmaString {
  const encode = (lit: string): string => {
    const le = Buffer.from(lit, 'utf16le');
    if (kind === 'utf16be') le.swap16();
    return le.toString('latin1');
  };
  const out = mapLiterals(s, encode, true);
  if (kind !== 'utf16') return out;
  // utf16 = little endian with a byte-order mark in front.
  const parts = [...out.parts];
  parts[0] = typeof parts[0] === 'string' ? '\xff\xfe' + parts[0] : parts[0];
  if (typeof out.parts[0] !== 'string') parts.unshift('\xff\xfe');
  return { parts, binary: true };
}

export function base64(s: SigmaString): SigmaString {
  if (hasWildcards(s)) throw new SigmaError("'base64' cannot encode a value containing wildcards");
  const text = s.parts.join('');
  return { parts: [toBytes(text, s.binary).toString('base64')] };
}

const OFFSET_START = [0, 2, 3];
const OFFSET_END = [0, -3, -2];

export function base64offset(s: SigmaString): SigmaString[] {
  if (hasWildcards(s)) throw new SigmaError("'base64offset' cannot encode a value containing wildcards");
  const bytes = toBytes(s.parts.join(''), s.binary);
  const out: SigmaString[] = [];
  for (let shift = 0; shift < 3; shift++) {
    const encoded = Buffer.concat([Buffer.alloc(shift, 0x20), bytes]).toString('base64');
    const endCut = OFFSET_END[(bytes.length + shift) % 3];
    const piece = encoded.slice(OFFSET_START[shift], endCut === 0 ? undefined : endCut);
    if (piece) out.push({ parts: [piece] });
  }
  return out;
}

const DASHES = ['-', '/', '\u2013', '\u2014', '\u2015'];
const MAX_WINDASH_POSITIONS = 5;

/** Option-position dashes: preceded by a non-word character (or start), followed by a word character. */
function dashPositions(lit: string, atStart: boolean): number[] {
  const pos: number[] = [];
  for (let i = 0; i < lit.length; i++) {
    const c = lit[i];
    if (c !== '-' && c !== '/') continue;
    const prev = i === 0 ? (atStart ? '' : 'x') : lit[i - 1];
    const next = lit[i + 1] ?? '';
    if (!/\w/.test(prev) && /\w/.test(next)) pos.push(i);
  }
  return pos;
}

export function windash(s: SigmaString): SigmaString[] {
  // Positions are found per literal part; a part after a wildcard counts as
  // starting a word boundary, as the wildcard may end in a space.
  const slots: { part: number; index: number }[] = [];
  s.parts.forEach((p, pi) => {
    if (typeof p !== 'string') return;
    const afterWildcard = pi > 0;
    for (const index of dashPositions(p, pi === 0 || afterWildcard)) slots.push({ part: pi, index });
  });
  if (slots.length === 0) return [s];
  if (slots.length > MAX_WINDASH_POSITIONS) {
    throw new SigmaError(`'windash' on a value with ${slots.length} dashes would create too many permutations`);
  }
  const out: SigmaString[] = [];
  const total = DASHES.length ** slots.length;
  for (let n = 0; n < total; n++) {
    const parts = [...s.parts];
    let k = n;
    for (const slot of slots) {
      const dash = DASHES[k % DASHES.length];
      k = Math.floor(k / DASHES.length);
      const lit = parts[slot.part] as string;
      parts[slot.part] = lit.slice(0, slot.index) + dash + lit.slice(slot.index + 1);
    }
    out.push({ parts, binary: s.binary });
  }
  return out;
}
