/**
 * Reads the members of a JSON object straight from UTF-8 bytes, without
 * building it: key, kind of value and where the value lies. Used to decide a
 * line's product before (and instead of) JSON.parse.
 *
 * Only the members asked for are kept, and only what JSON.parse would certainly agree with is reported; anything
 * unexpected (a key written with escapes, malformed text) returns null, and
 * callers then fall back to parsing. Duplicate keys keep the last value, as
 * JSON.parse does.
 */
export type RawKind = 'string' | 'digits' | 'number' | 'object' | 'array' | 'null' | 'boolean';

export interface RawValue {
  readonly kind: RawKind;
  /** The value's bytes: [start, end). */
  readonly start: number;
  readonly end: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function skipWs(buf: Uint8Array, i: number, end: number): number {
  while (i < end) {
    const c = buf[i];
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
    i++;
  }
  return i;
}

/** Strings longer than this are searched natively (Buffer.indexOf) past their start: a call costs about as much as this many bytes walked here. */
const NATIVE_AFTER = 16;

/** buf[i] is an opening quote; returns the index after the closing one, or -1. */
function skipString(buf: Uint8Array, i: number, end: number): number {
  const open = i;
  const near = Math.min(end, i + NATIVE_AFTER);
  for (i++; i < near; i++) {
    const c = buf[i];
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i + 1;
  }
  if (i >= end) return -1;
  // A quote ends the string unless an odd run of backslashes precedes it.
  for (;;) {
    const q = buf.indexOf(QUOTE, i);
    if (q < 0 || q >= end) return -1;
    let run = 0;
    for (let b = q - 1; b > open && buf[b] === BACKSLASH; b--) run++;
    if ((run & 1) === 0) return q + 1;
    i = q + 1;
  }
}

/** Skips one value starting at buf[i]; returns the index after it, or -1. */
function skipValue(buf: Uint8Array, i: number, end: number): number {
  const c = buf[i];
  if (c === QUOTE) return skipString(buf, i, end);
  if (c === 0x7b || c === 0x5b) {
    // Nested object or array: count brackets outside strings.
    let depth = 0;
    for (; i < end; i++) {
      const b = buf[i];
      if (b === QUOTE) {
        i = skipString(buf, i, end) - 1;
        if (i < 0) return -1;
      } else if (b === 0x7b || b === 0x5b) depth++;
      else if (b === 0x7d || b === 0x5d) {
        if (--depth === 0) return i + 1;
      }
    }
    return -1;
  }
  // number, true, false, null: up to the next delimiter.
  while (i < end) {
    const b = buf[i];
    if (b === 0x2c || b === 0x7d || b === 0x5d || b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d) break;
    i++;
  }
  return i;
}

const NULL = Buffer.from('null');
const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');

function isWord(buf: Uint8Array, start: number, end: number, word: Uint8Array): boolean {
  if (end - start !== word.length) return false;
  for (let i = 0; i < word.length; i++) if (buf[start + i] !== word[i]) return false;
  return true;
}

function kindOf(buf: Uint8Array, start: number, end: number): RawKind | null {
  const c = buf[start];
  if (c === QUOTE) {
    if (end - start <= 2) return 'string';
    for (let i = start + 1; i < end - 1; i++) if (buf[i] < 0x30 || buf[i] > 0x39) return 'string';
    return 'digits';
  }
  if (c === 0x7b) return 'object';
  if (c === 0x5b) return 'array';
  if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return 'number';
  if (isWord(buf, start, end, NULL)) return 'null';
  if (isWord(buf, start, end, TRUE) || isWord(buf, start, end, FALSE)) return 'boolean';
  return null;
}

/** An ASCII letter in lower case; other bytes as they are. */
function foldAscii(b: number): number {
  return b >= 0x41 && b <= 0x5a ? b | 0x20 : b;
}

/** Keys that make rawMembers give up (see its `guard`). */
export interface KeyGuard {
  foldedHas(buf: Uint8Array, start: number, end: number): boolean;
}

/** Key names to look for, prepared once as bytes so that reading a line allocates nothing per key. */
export class KeySet implements KeyGuard {
  private readonly byLength: Uint8Array[][] = [];
  private readonly names: string[][] = [];

  constructor(keys: readonly string[]) {
    for (const k of keys) {
      const b = Buffer.from(k, 'utf8');
      (this.byLength[b.length] ??= []).push(b);
      (this.names[b.length] ??= []).push(k);
    }
  }

  /** Whether buf[start, end) spells one of the keys in any ASCII letter case. */
  foldedHas(buf: Uint8Array, start: number, end: number): boolean {
    const cands = this.byLength[end - start];
    if (cands === undefined) return false;
    outer: for (let c = 0; c < cands.length; c++) {
      const k = cands[c];
      for (let i = 0; i < k.length; i++) if (foldAscii(buf[start + i]) !== foldAscii(k[i])) continue outer;
      return true;
    }
    return false;
  }

  /** The wanted key spelled by buf[start, end), if any. */
  find(buf: Uint8Array, start: number, end: number): string | undefined {
    const cands = this.byLength[end - start];
    if (cands === undefined) return undefined;
    outer: for (let c = 0; c < cands.length; c++) {
      const k = cands[c];
      for (let i = 0; i < k.length; i++) if (buf[start + i] !== k[i]) continue outer;
      return this.names[end - start][c];
    }
    return undefined;
  }
}

/**
 * The members named in `keys` of the object that is all of buf[start, end)
 * (whitespace aside); null when the text is not an object this reader can
 * vouch for. Other members are checked for form and skipped.
 *
 * `guard`: names whose other spellings (another letter case) make the answer
 * null — for callers whose reading is case-insensitive downstream, where
 * "channel" next to "Channel" could decide which value counts.
 */
export function rawMembers(buf: Uint8Array, start: number, end: number, keys: KeySet, guard?: KeyGuard): Map<string, RawValue> | null {
  let i = skipWs(buf, start, end);
  if (buf[i] !== 0x7b) return null;
  const out = new Map<string, RawValue>();
  i = skipWs(buf, i + 1, end);
  if (buf[i] === 0x7d) return skipWs(buf, i + 1, end) === end ? out : null;
  for (;;) {
    if (buf[i] !== QUOTE) return null;
    const keyEnd = skipString(buf, i, end);
    if (keyEnd < 0) return null;
    // A key with escapes may decode to any name: do not guess.
    for (let k = i + 1; k < keyEnd - 1; k++) if (buf[k] === BACKSLASH) return null;
    const key = keys.find(buf, i + 1, keyEnd - 1);
    if (key === undefined && guard !== undefined && guard.foldedHas(buf, i + 1, keyEnd - 1)) return null;
    i = skipWs(buf, keyEnd, end);
    if (buf[i] !== 0x3a) return null;
    const vStart = skipWs(buf, i + 1, end);
    if (vStart >= end) return null;
    const vEnd = skipValue(buf, vStart, end);
    if (vEnd < 0) return null;
    const kind = kindOf(buf, vStart, vEnd);
    if (kind === null) return null;
    if (key !== undefined) out.set(key, { kind, start: vStart, end: vEnd });
    i = skipWs(buf, vEnd, end);
    if (buf[i] === 0x2c) {
      i = skipWs(buf, i + 1, end);
      continue;
    }
    // Text after the object would make JSON.parse fail: not ours to judge.
    if (buf[i] === 0x7d) return skipWs(buf, i + 1, end) === end ? out : null;
    return null;
  }
}
