/**
 * Substitution values: the typed data a template instance carries, decoded
 * into the JSON values evtx_dump writes.
 *
 *   null → null · strings → string · int8…uint64 → number (64-bit values
 *   beyond 2^53 → exact decimal string) · real32/64 → number · bool → boolean
 *   · binary → uppercase hex · GUID → {XXXXXXXX-XXXX-…} · size_t, hexint32/64
 *   → "0x…" lowercase, unpadded · FILETIME/SYSTEMTIME → ISO 8601 UTC · SID →
 *   S-1-… · nested BinXML → BinXmlValue · arrays (type | 0x80) → JS arrays.
 *
 * Strings are NOT trimmed: trailing spaces are part of the value (a rule on
 * `'NtLmSsp'` must not match a raw `'NtLmSsp '`; see shared NOTES.md, "EVTX").
 * Only trailing NUL terminators are dropped.
 */
import { EvtxFormatError, hex } from './errors.js';
import { formatFiletime, formatSystemtime } from './time.js';

export const enum ValueType {
  Null = 0x00,
  String = 0x01,
  AnsiString = 0x02,
  Int8 = 0x03,
  UInt8 = 0x04,
  Int16 = 0x05,
  UInt16 = 0x06,
  Int32 = 0x07,
  UInt32 = 0x08,
  Int64 = 0x09,
  UInt64 = 0x0a,
  Real32 = 0x0b,
  Real64 = 0x0c,
  Bool = 0x0d,
  Binary = 0x0e,
  Guid = 0x0f,
  SizeT = 0x10,
  FileTime = 0x11,
  SysTime = 0x12,
  Sid = 0x13,
  HexInt32 = 0x14,
  HexInt64 = 0x15,
  EvtHandle = 0x20,
  BinXml = 0x21,
  EvtXml = 0x23,
  ArrayFlag = 0x80,
}

/** A substitution value: JSON scalar, nested BinXML, or an array of scalars. */
export type Value = string | number | boolean | null | BinXmlValue | Value[];

/** A nested BinXML fragment (value type 0x21); `nodes` are parsed by the caller's parser. */
export class BinXmlValue {
  constructor(readonly nodes: unknown[]) {}
}

/** Parses a nested BinXML value found at chunk[start, end); supplied by the BinXML reader. */
export type BinXmlParser = (start: number, end: number) => BinXmlValue;

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0').toUpperCase());
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const windows1252 = new TextDecoder('windows-1252');

/** Fixed element sizes of the array-capable scalar types (0 = variable). */
const FIXED_SIZE: Record<number, number> = {
  [ValueType.Int8]: 1, [ValueType.UInt8]: 1, [ValueType.Int16]: 2, [ValueType.UInt16]: 2,
  [ValueType.Int32]: 4, [ValueType.UInt32]: 4, [ValueType.Int64]: 8, [ValueType.UInt64]: 8,
  [ValueType.Real32]: 4, [ValueType.Real64]: 8, [ValueType.Bool]: 4, [ValueType.Guid]: 16,
  [ValueType.FileTime]: 8, [ValueType.SysTime]: 16, [ValueType.HexInt32]: 4, [ValueType.HexInt64]: 8,
};

/** Decodes one value of `type` stored in buf[at, at + size). */
export function decodeValue(buf: Buffer, at: number, size: number, type: number, binxml: BinXmlParser): Value {
  if (at + size > buf.length) throw new EvtxFormatError(`value of type ${hex(type)} (${size} bytes) runs past the data`, at);
  if (type & ValueType.ArrayFlag) return decodeArray(buf, at, size, type & 0x7f);
  switch (type) {
    case ValueType.Null:
      return null;
    case ValueType.String:
    case ValueType.EvtXml:
      return utf16(buf, at, at + size);
    case ValueType.AnsiString:
      return ansi(buf, at, at + size);
    case ValueType.BinXml:
      return binxml(at, at + size);
    case ValueType.Binary:
      return hexUpper(buf, at, size);
    case ValueType.Sid:
      return sid(buf, at, size);
    case ValueType.SizeT:
    case ValueType.EvtHandle:
      if (size === 4) return type === ValueType.SizeT ? '0x' + buf.readUInt32LE(at).toString(16) : buf.readUInt32LE(at);
      if (size === 8) return type === ValueType.SizeT ? hex64(buf, at) : uint64(buf, at);
      throw new EvtxFormatError(`${type === ValueType.SizeT ? 'size_t' : 'handle'} value of ${size} bytes`, at);
    case ValueType.Bool:
      // Documented as a 32-bit 0/1; other widths and values occur ("irregular bool values"): non-zero is true.
      if (size === 0) throw new EvtxFormatError('empty bool value', at);
      for (let i = 0; i < size; i++) if (buf[at + i] !== 0) return true;
      return false;
    default: {
      const need = FIXED_SIZE[type];
      if (need === undefined) throw new EvtxFormatError(`unknown value type ${hex(type)}`, at);
      if (size < need) throw new EvtxFormatError(`value of type ${hex(type)} has ${size} bytes, needs ${need}`, at);
      return scalar(buf, at, type);
    }
  }
}

/** A fixed-size scalar at buf[at] (the size was checked by the caller). */
function scalar(buf: Buffer, at: number, type: number): Value {
  switch (type) {
    case ValueType.Int8: return buf.readInt8(at);
    case ValueType.UInt8: return buf[at];
    case ValueType.Int16: return buf.readInt16LE(at);
    case ValueType.UInt16: return buf.readUInt16LE(at);
    case ValueType.Int32: return buf.readInt32LE(at);
    case ValueType.UInt32: return buf.readUInt32LE(at);
    case ValueType.Int64: return int64(buf, at);
    case ValueType.UInt64: return uint64(buf, at);
    case ValueType.Real32: return real(shortestFloat32(buf.readFloatLE(at)));
    case ValueType.Real64: return real(buf.readDoubleLE(at));
    case ValueType.Bool: return buf.readUInt32LE(at) !== 0;
    case ValueType.Guid: return guid(buf, at);
    case ValueType.FileTime: return formatFiletime(buf.readUInt32LE(at), buf.readUInt32LE(at + 4));
    case ValueType.SysTime: return formatSystemtime(buf, at);
    case ValueType.HexInt32: return '0x' + buf.readUInt32LE(at).toString(16);
    case ValueType.HexInt64: return hex64(buf, at);
    default: throw new EvtxFormatError(`unknown value type ${hex(type)}`, at);
  }
}

function decodeArray(buf: Buffer, at: number, size: number, type: number): Value[] {
  const end = at + size;
  const out: Value[] = [];
  switch (type) {
    case ValueType.String: {
      // NUL-separated UTF-16 strings; a final terminator does not start another one.
      const text = buf.toString('utf16le', at, at + (size & ~1));
      if (text.length === 0) return out;
      const parts = text.split('\0');
      if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
      return parts;
    }
    case ValueType.AnsiString: {
      let s = at;
      for (let i = at; i < end; i++) {
        if (buf[i] === 0) {
          out.push(windows1252.decode(buf.subarray(s, i)));
          s = i + 1;
        }
      }
      if (s < end) out.push(windows1252.decode(buf.subarray(s, end)));
      return out;
    }
    case ValueType.Sid: {
      let p = at;
      while (p + 8 <= end) {
        const len = 8 + 4 * buf[p + 1];
        if (p + len > end) throw new EvtxFormatError('SID array element runs past the value', p);
        out.push(sid(buf, p, len));
        p += len;
      }
      return out;
    }
    case ValueType.SizeT: {
      const w = size % 8 === 0 ? 8 : 4;
      for (let p = at; p + w <= end; p += w) out.push(w === 8 ? hex64(buf, p) : '0x' + buf.readUInt32LE(p).toString(16));
      return out;
    }
    case ValueType.Bool:
      for (let p = at; p + 4 <= end; p += 4) out.push(buf.readUInt32LE(p) !== 0);
      return out;
    case ValueType.Binary:
      return [hexUpper(buf, at, size)];
    default: {
      const w = FIXED_SIZE[type];
      if (w === undefined) throw new EvtxFormatError(`unknown array value type ${hex(type | 0x80)}`, at);
      for (let p = at; p + w <= end; p += w) out.push(scalar(buf, p, type));
      return out;
    }
  }
}

/** UTF-16LE text in buf[start, end) without trailing NUL terminators (whitespace is kept). */
export function utf16(buf: Buffer, start: number, end: number): string {
  let e = start + ((end - start) & ~1);
  while (e > start && buf[e - 1] === 0 && buf[e - 2] === 0) e -= 2;
  return e === start ? '' : buf.toString('utf16le', start, e);
}

function ansi(buf: Buffer, start: number, end: number): string {
  let e = end;
  while (e > start && buf[e - 1] === 0) e--;
  for (let i = start; i < e; i++) if (buf[i] >= 0x80) return windows1252.decode(buf.subarray(start, e));
  return buf.toString('latin1', start, e);
}

function hexUpper(buf: Buffer, at: number, size: number): string {
  return buf.toString('hex', at, at + size).toUpperCase();
}

export function guid(buf: Buffer, at: number): string {
  const h = (i: number): string => HEX[buf[at + i]];
  return '{' + h(3) + h(2) + h(1) + h(0) + '-' + h(5) + h(4) + '-' + h(7) + h(6) + '-' + h(8) + h(9) + '-' +
    h(10) + h(11) + h(12) + h(13) + h(14) + h(15) + '}';
}

function sid(buf: Buffer, at: number, size: number): string {
  if (size < 8) throw new EvtxFormatError(`SID of ${size} bytes`, at);
  const count = buf[at + 1];
  if (8 + 4 * count > size) throw new EvtxFormatError(`SID with ${count} sub-authorities in ${size} bytes`, at);
  const authHi = buf.readUInt16BE(at + 2);
  const authLo = buf.readUInt32BE(at + 4);
  let s = 'S-' + buf[at] + '-' + (authHi === 0 ? String(authLo) : '0x' + (authHi.toString(16) + authLo.toString(16).padStart(8, '0')).toUpperCase());
  for (let i = 0; i < count; i++) s += '-' + buf.readUInt32LE(at + 8 + 4 * i);
  return s;
}

function uint64(buf: Buffer, at: number): number | string {
  const hi = buf.readUInt32LE(at + 4);
  const lo = buf.readUInt32LE(at);
  const v = hi * 4294967296 + lo;
  return v <= MAX_SAFE ? v : buf.readBigUInt64LE(at).toString();
}

function int64(buf: Buffer, at: number): number | string {
  const hi = buf.readInt32LE(at + 4);
  const lo = buf.readUInt32LE(at);
  const v = hi * 4294967296 + lo;
  return v <= MAX_SAFE && v >= -MAX_SAFE ? v : buf.readBigInt64LE(at).toString();
}

/** Keywords-style values (high bits only) repeat in every record: their text is remembered. */
const highOnly = new Map<number, string>();

function hex64(buf: Buffer, at: number): string {
  const hi = buf.readUInt32LE(at + 4);
  const lo = buf.readUInt32LE(at);
  if (hi === 0) return '0x' + lo.toString(16);
  if (lo === 0) {
    let s = highOnly.get(hi);
    if (s === undefined) {
      if (highOnly.size > 4096) highOnly.clear();
      s = '0x' + hi.toString(16) + '00000000';
      highOnly.set(hi, s);
    }
    return s;
  }
  return '0x' + hi.toString(16) + lo.toString(16).padStart(8, '0');
}

/** JSON has no NaN or infinities: those become text. */
function real(v: number): number | string {
  return Number.isFinite(v) ? v : String(v);
}

/** The shortest decimal that reads back as the same float32 (as Rust prints an f32). */
function shortestFloat32(v: number): number {
  if (!Number.isFinite(v) || v === 0) return v;
  for (let p = 1; p <= 9; p++) {
    const c = Number(v.toPrecision(p));
    if (Math.fround(c) === v) return c;
  }
  return v;
}

const DECIMAL = '0123456789-';
const HEX_DIGITS = '0123456789abcdefABCDEF';
/** The characters each type's text can hold (arrays add only JSON punctuation between elements). */
const ALPHABETS: Partial<Record<number, string>> = {
  [ValueType.Int8]: DECIMAL, [ValueType.UInt8]: DECIMAL, [ValueType.Int16]: DECIMAL, [ValueType.UInt16]: DECIMAL,
  [ValueType.Int32]: DECIMAL, [ValueType.UInt32]: DECIMAL, [ValueType.Int64]: DECIMAL, [ValueType.UInt64]: DECIMAL,
  [ValueType.EvtHandle]: DECIMAL,
  [ValueType.Guid]: HEX_DIGITS + '{}-',
  [ValueType.Binary]: HEX_DIGITS,
  [ValueType.SizeT]: HEX_DIGITS + 'x',
  [ValueType.HexInt32]: HEX_DIGITS + 'x',
  [ValueType.HexInt64]: HEX_DIGITS + 'x',
  [ValueType.Sid]: HEX_DIGITS + 'Sx-',
  [ValueType.FileTime]: DECIMAL + 'T:.Z',
  [ValueType.SysTime]: DECIMAL + 'T:.Z',
};

/**
 * Every character the text of a value of this type (or of each element of
 * an array of it) can consist of, as decodeValue writes it; undefined for
 * types whose text is unconstrained (strings, reals, booleans, …). Lets a
 * needle scan skip formatting values no needle could occur in.
 */
export function textAlphabet(type: number): string | undefined {
  return ALPHABETS[type & 0x7f];
}

/** A value as element text, for concatenation with other text. */
export function valueText(v: Value): string {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map(valueText).join(',');
  return '';
}
