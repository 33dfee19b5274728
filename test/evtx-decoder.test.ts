/**
 * The EVTX decoder on hand-built chunks (every BinXML token, every
 * substitution value type, template reuse, nested BinXML, damage) and on the
 * real T1049 events of the corpus; `vigil dump` and readLogFile end to end.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { crc32 } from '../src/sources/evtx/crc32.js';
import { decodeEvtx } from '../src/sources/evtx/index.js';
import { readLogFile } from '../src/sources/read-file.js';
import { formatFiletime, civilFromDays } from '../src/sources/evtx/time.js';
import { corpus, REPO_ROOT } from './corpus.js';

// ------------------------------------------------------------------ a chunk writer

/** Writes BinXML into a 64 KiB chunk the way Windows lays it out (names and templates stored once, then referenced). */
class ChunkWriter {
  readonly buf = Buffer.alloc(65536);
  pos = 512;
  private readonly names = new Map<string, number>();
  private readonly ids: number[] = [];
  private lastRecord = 512;
  private templateCount = 0;

  u8(v: number): this { this.buf[this.pos++] = v; return this; }
  u16(v: number): this { this.buf.writeUInt16LE(v, this.pos); this.pos += 2; return this; }
  u32(v: number): this { this.buf.writeUInt32LE(v >>> 0, this.pos); this.pos += 4; return this; }
  u64(v: bigint): this { this.buf.writeBigUInt64LE(v, this.pos); this.pos += 8; return this; }
  bytes(b: Buffer): this { b.copy(this.buf, this.pos); this.pos += b.length; return this; }
  chars(s: string): this { return this.bytes(Buffer.from(s, 'utf16le')); }

  /** A name reference: inline (offset = right here) the first time, the stored offset afterwards. */
  name(n: string): this {
    const known = this.names.get(n);
    if (known !== undefined) return this.u32(known);
    const at = this.pos + 4;
    this.names.set(n, at);
    return this.u32(at).u32(0).u16(0).u16(n.length).chars(n).u16(0);
  }

  fragment(): this { return this.u8(0x0f).u8(1).u8(1).u8(0); }
  open(n: string, o: { attrs?: boolean; dependency?: boolean } = {}): this {
    this.u8(o.attrs ? 0x41 : 0x01);
    if (o.dependency !== false) this.u16(0xffff);
    this.u32(0).name(n);
    return o.attrs ? this.u32(0) : this;
  }
  attr(n: string): this { return this.u8(0x06).name(n); }
  text(s: string, more = false): this { return this.u8(more ? 0x45 : 0x05).u8(0x01).u16(s.length).chars(s); }
  closeStart(): this { return this.u8(0x02); }
  closeEmpty(): this { return this.u8(0x03); }
  end(): this { return this.u8(0x04); }
  eof(): this { return this.u8(0x00); }
  charRef(code: number): this { return this.u8(0x08).u16(code); }
  entityRef(n: string): this { return this.u8(0x09).name(n); }
  cdata(s: string): this { return this.u8(0x07).u16(s.length).chars(s); }
  pi(target: string, data: string): this { return this.u8(0x0a).name(target).u8(0x0b).u16(data.length).chars(data); }
  subst(index: number, type: number, optional = false): this { return this.u8(optional ? 0x0e : 0x0d).u16(index).u8(type); }

  /**
   * A template instance; `def` writes a new definition inline, or is the offset
   * of one stored earlier. A value is bytes, or a writer for nested BinXML
   * (written in place, since its offsets are chunk offsets). Returns the definition offset.
   */
  instance(def: number | ((w: this) => void), values: [number, Buffer | ((w: this) => void)][]): number {
    // The template id is the first 32 bits of the definition's GUID; templates are numbered per writer.
    const idAt = this.pos + 2;
    this.u8(0x0c).u8(1).u32(0);
    let defOffset: number;
    if (typeof def === 'number') {
      defOffset = def;
      this.u32(def);
      this.buf.copy(this.buf, idAt, def + 4, def + 8);
    } else {
      defOffset = this.pos + 4;
      const guid = Buffer.alloc(16, 0xab);
      guid.writeUInt32LE(0xabab0000 + ++this.templateCount);
      guid.copy(this.buf, idAt, 0, 4);
      this.u32(defOffset).u32(0).bytes(guid);
      const sizeAt = this.pos;
      this.u32(0);
      const start = this.pos;
      def(this);
      this.buf.writeUInt32LE(this.pos - start, sizeAt);
    }
    this.u32(values.length);
    const desc = this.pos;
    for (const [type] of values) this.u16(0).u8(type).u8(0);
    values.forEach(([, v], i) => {
      const start = this.pos;
      if (typeof v === 'function') v(this);
      else this.bytes(v);
      this.buf.writeUInt16LE(this.pos - start, desc + 4 * i);
    });
    return defOffset;
  }

  /** One event record around `body` (which writes the BinXML). */
  record(id: number, body: (w: this) => void): number {
    const start = this.pos;
    this.u32(0x00002a2a).u32(0).u64(BigInt(id)).u64(0n);
    body(this);
    this.pos += (8 - ((this.pos + 4 - start) % 8)) % 8; // records are 8-byte aligned
    this.u32(this.pos + 4 - start);
    this.buf.writeUInt32LE(this.pos - start, start + 4);
    this.ids.push(id);
    this.lastRecord = start;
    return start;
  }

  finish(): Buffer {
    const b = this.buf;
    b.write('ElfChnk\0', 0, 'latin1');
    const first = BigInt(this.ids[0] ?? 0);
    const last = BigInt(this.ids[this.ids.length - 1] ?? 0);
    b.writeBigUInt64LE(first, 8);
    b.writeBigUInt64LE(last, 16);
    b.writeBigUInt64LE(first, 24);
    b.writeBigUInt64LE(last, 32);
    b.writeUInt32LE(128, 40);
    b.writeUInt32LE(this.lastRecord, 44);
    b.writeUInt32LE(this.pos, 48);
    b.writeUInt32LE(crc32(b.subarray(512, this.pos)), 52);
    b.writeUInt32LE(crc32(b.subarray(128, 512), crc32(b.subarray(0, 120))), 124);
    return b;
  }
}

function evtxFile(chunks: Buffer[], chunkCount = chunks.length): Buffer {
  const h = Buffer.alloc(4096);
  h.write('ElfFile\0', 0, 'latin1');
  h.writeBigUInt64LE(BigInt(Math.max(chunkCount - 1, 0)), 16);
  h.writeUInt32LE(128, 32);
  h.writeUInt16LE(1, 36);
  h.writeUInt16LE(3, 38);
  h.writeUInt16LE(4096, 40);
  h.writeUInt16LE(chunkCount, 42);
  h.writeUInt32LE(crc32(h.subarray(0, 120)), 124);
  return Buffer.concat([h, ...chunks]);
}

interface Decoded {
  records: { event: Record<string, any>; id: number; offset: number }[];
  errors: { message: string; offset: number }[];
}

function decode(file: Buffer): Decoded {
  const out: Decoded = { records: [], errors: [] };
  decodeEvtx(file, {
    record: (event, id, offset) => out.records.push({ event, id, offset }),
    error: (message, offset) => out.errors.push({ message, offset }),
  });
  return out;
}

const T = {
  Null: 0x00, String: 0x01, Ansi: 0x02, Int8: 0x03, UInt8: 0x04, Int16: 0x05, UInt16: 0x06, Int32: 0x07, UInt32: 0x08,
  Int64: 0x09, UInt64: 0x0a, Real32: 0x0b, Real64: 0x0c, Bool: 0x0d, Binary: 0x0e, Guid: 0x0f, SizeT: 0x10,
  FileTime: 0x11, SysTime: 0x12, Sid: 0x13, HexInt32: 0x14, HexInt64: 0x15, BinXml: 0x21, Array: 0x80,
};

const utf16z = (s: string): Buffer => Buffer.from(s + '\0', 'utf16le');
function le(bytes: number, v: bigint | number, signed = false): Buffer {
  const b = Buffer.alloc(bytes);
  if (bytes === 8) signed ? b.writeBigInt64LE(BigInt(v)) : b.writeBigUInt64LE(BigInt(v));
  else if (signed) b.writeIntLE(Number(v), 0, bytes);
  else b.writeUIntLE(Number(v), 0, bytes);
  return b;
}
function f32(v: number): Buffer { const b = Buffer.alloc(4); b.writeFloatLE(v); return b; }
function f64(v: number): Buffer { const b = Buffer.alloc(8); b.writeDoubleLE(v); return b; }
function sid(auth: number, subs: number[]): Buffer {
  const b = Buffer.alloc(8 + 4 * subs.length);
  b[0] = 1;
  b[1] = subs.length;
  b.writeUIntBE(auth, 2, 6);
  subs.forEach((s, i) => b.writeUInt32LE(s, 8 + 4 * i));
  return b;
}
const GUID_BYTES = Buffer.from('5f3870572ac2e043bf4c06f5698ffbd9', 'hex'); // {5770385F-C22A-43E0-BF4C-06F5698FFBD9}
function filetime(iso: string, extraTicks: number): Buffer {
  return le(8, (BigInt(Date.parse(iso)) + 11644473600000n) * 10000n + BigInt(extraTicks));
}
function systemtime(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): Buffer {
  const b = Buffer.alloc(16);
  [y, mo, 0, d, h, mi, s, ms].forEach((v, i) => b.writeUInt16LE(v, 2 * i));
  return b;
}

// ------------------------------------------------------------------ tokens

test('every BinXML token: elements, attributes, text, CharRef, EntityRef, CDATA, PI, repeated names, Data', () => {
  const w = new ChunkWriter();
  w.record(1, (w) => {
    w.fragment();
    w.open('Event', { attrs: true }).attr('xmlns').text('urn:x').closeStart();
    w.open('System').closeStart();
    w.open('Provider', { attrs: true }).attr('Name').text('Prov').charRef(0x41).entityRef('amp').text('B').closeEmpty();
    w.open('EventID').closeStart().text('4688').end();
    w.open('Empty').closeEmpty();
    w.end(); // System
    w.open('UserData').closeStart();
    w.open('Info').closeStart();
    w.open('Header').closeStart().text('one').end();
    w.open('Header').closeStart().text('two').end();
    w.open('Header').closeStart().text('a').entityRef('lt').entityRef('gt').entityRef('quot').entityRef('apos').entityRef('nbsp').charRef(0x20ac).end();
    w.open('Script').closeStart().cdata('if (a < b) { x(); }').end();
    w.pi('xml-stylesheet', 'href="x"');
    w.open('Mixed', { attrs: true }).attr('k').text('v').closeStart().text('t1').text('t2').end();
    w.end().end(); // Info, UserData
    w.open('EventData').closeStart();
    w.open('Data', { attrs: true }).attr('Name').text('CommandLine').closeStart().text('net  use ').end();
    w.open('Data').closeStart().text('first').end();
    w.open('Data').closeStart().end();
    w.open('Data').closeStart().text('third').end();
    w.end(); // EventData
    w.end().eof(); // Event
  });
  const { records, errors } = decode(evtxFile([w.finish()]));
  assert.deepEqual(errors, []);
  assert.deepEqual(records[0].event, {
    Event: {
      '#attributes': { xmlns: 'urn:x' },
      System: { Provider: { '#attributes': { Name: 'ProvA&B' } }, EventID: '4688', Empty: null },
      UserData: {
        Info: {
          Header: 'one',
          Header_1: 'two',
          Header_2: 'a<>"\'&nbsp;€',
          Script: 'if (a < b) { x(); }',
          Mixed: { '#attributes': { k: 'v' }, '#text': 't1t2' },
        },
      },
      EventData: { CommandLine: 'net  use ', Data: { '#text': ['first', '', 'third'] } },
    },
  });
});

// ------------------------------------------------------------------ values

test('every substitution value type, in elements and attributes', () => {
  const cases: [string, number, Buffer, unknown][] = [
    ['null', T.Null, Buffer.alloc(0), null],
    ['string', T.String, utf16z('trailing space '), 'trailing space '],
    ['emptystring', T.String, Buffer.alloc(0), ''],
    ['ansi', T.Ansi, Buffer.from('caf\xe9\0', 'latin1'), 'café'],
    ['int8', T.Int8, le(1, -5, true), -5],
    ['uint8', T.UInt8, le(1, 200), 200],
    ['int16', T.Int16, le(2, -300, true), -300],
    ['uint16', T.UInt16, le(2, 60000), 60000],
    ['int32', T.Int32, le(4, -70000, true), -70000],
    ['uint32', T.UInt32, le(4, 4000000000), 4000000000],
    ['int64', T.Int64, le(8, -5000000000n, true), -5000000000],
    ['int64min', T.Int64, le(8, -(2n ** 63n), true), '-9223372036854775808'],
    ['uint64', T.UInt64, le(8, 12345n), 12345],
    ['uint64max', T.UInt64, le(8, 2n ** 64n - 1n), '18446744073709551615'],
    ['real32', T.Real32, f32(0.1), 0.1],
    ['real64', T.Real64, f64(-3.25), -3.25],
    ['booltrue', T.Bool, le(4, 1), true],
    ['boolfalse', T.Bool, le(4, 0), false],
    ['boolodd', T.Bool, le(4, 0xffffffff), true],
    ['binary', T.Binary, Buffer.from([0xde, 0xad, 0x0b]), 'DEAD0B'],
    ['guid', T.Guid, GUID_BYTES, '{5770385F-C22A-43E0-BF4C-06F5698FFBD9}'],
    ['sizet32', T.SizeT, le(4, 0x1a2c), '0x1a2c'],
    ['sizet64', T.SizeT, le(8, 0x1234567890n), '0x1234567890'],
    ['filetime', T.FileTime, filetime('2025-11-27T07:40:10.165Z', 3245), '2025-11-27T07:40:10.165324Z'],
    ['systime', T.SysTime, systemtime(2017, 5, 19, 2, 2, 36, 203), '2017-05-19T02:02:36.203000Z'],
    ['sid', T.Sid, sid(5, [21, 1, 2, 3]), 'S-1-5-21-1-2-3'],
    ['hexint32', T.HexInt32, le(4, 0x3e7), '0x3e7'],
    ['hexint64', T.HexInt64, le(8, 0x8000000000000000n), '0x8000000000000000'],
    ['stringarray', T.String | T.Array, Buffer.concat([utf16z('a'), utf16z(''), utf16z('c ')]), ['a', '', 'c ']],
    ['emptyarray', T.String | T.Array, Buffer.alloc(0), []],
    ['ansiarray', T.Ansi | T.Array, Buffer.from('x\0yz\0', 'latin1'), ['x', 'yz']],
    ['uint16array', T.UInt16 | T.Array, Buffer.concat([le(2, 1), le(2, 2)]), [1, 2]],
    ['int64array', T.Int64 | T.Array, Buffer.concat([le(8, -1n, true)]), [-1]],
    ['guidarray', T.Guid | T.Array, Buffer.concat([GUID_BYTES, Buffer.alloc(16)]), ['{5770385F-C22A-43E0-BF4C-06F5698FFBD9}', '{00000000-0000-0000-0000-000000000000}']],
    ['sidarray', T.Sid | T.Array, Buffer.concat([sid(5, [18]), sid(16, [12288])]), ['S-1-5-18', 'S-1-16-12288']],
    ['hexint32array', T.HexInt32 | T.Array, Buffer.concat([le(4, 10), le(4, 255)]), ['0xa', '0xff']],
    ['filetimearray', T.FileTime | T.Array, filetime('1601-01-01T00:00:00.000Z', 10), ['1601-01-01T00:00:00.000001Z']],
    ['realarray', T.Real64 | T.Array, Buffer.concat([f64(1.5), f64(2)]), [1.5, 2]],
    ['boolarray', T.Bool | T.Array, Buffer.concat([le(4, 0), le(4, 1)]), [false, true]],
    ['sizetarray', T.SizeT | T.Array, Buffer.concat([le(8, 1n), le(8, 2n)]), ['0x1', '0x2']],
  ];
  const w = new ChunkWriter();
  const values: [number, Buffer][] = cases.map(([, type, b]) => [type, b]);
  values.push([T.UInt32, le(4, 4)], [T.UInt16, le(2, 16384)], [T.Null, Buffer.alloc(0)], [T.Guid, GUID_BYTES]);
  const n = cases.length;
  w.record(7, (w) => {
    w.fragment();
    w.instance((w) => {
      w.fragment();
      w.open('Event').closeStart();
      w.open('System').closeStart();
      w.open('EventID', { attrs: true }).attr('Qualifiers').subst(n + 1, T.UInt16).closeStart().subst(n, T.UInt32).end();
      w.open('Execution', { attrs: true }).attr('ProcessID').subst(n, T.UInt32).attr('Missing').subst(n + 2, T.Null, true).closeEmpty();
      w.open('Correlation', { attrs: true }).attr('ActivityID').subst(n + 2, T.Guid, true).closeEmpty();
      w.open('Provider', { attrs: true }).attr('Guid').subst(n + 3, T.Guid).attr('Mixed').text('pid=').subst(n, T.UInt32).closeEmpty();
      w.end();
      w.open('EventData').closeStart();
      cases.forEach(([name, type], i) => {
        w.open('Data', { attrs: true }).attr('Name').text(name).closeStart().subst(i, type, i === 0).end();
      });
      w.end().end().eof();
    }, values);
    w.eof();
  });
  const { records, errors } = decode(evtxFile([w.finish()]));
  assert.deepEqual(errors, []);
  const ev = records[0].event.Event;
  assert.deepEqual(ev.System, {
    EventID: { '#attributes': { Qualifiers: 16384 }, '#text': 4 },
    Execution: { '#attributes': { ProcessID: 4 } },
    Correlation: null,
    Provider: { '#attributes': { Guid: '{5770385F-C22A-43E0-BF4C-06F5698FFBD9}', Mixed: 'pid=4' } },
  });
  for (const [name, , , expected] of cases) assert.deepEqual(ev.EventData[name], expected, name);
  assert.equal(Object.keys(ev.EventData).length, cases.length);
});

test('FILETIME and calendar arithmetic agree with Date across the range', () => {
  for (const iso of ['1601-01-01T00:00:00.000Z', '1970-01-01T00:00:00.000Z', '2000-02-29T23:59:59.999Z', '2024-12-31T12:00:00.500Z', '2100-03-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z']) {
    const b = filetime(iso, 9999);
    assert.equal(formatFiletime(b.readUInt32LE(0), b.readUInt32LE(4)), iso.replace(/(\.\d{3})Z$/, '$1999Z'), iso);
  }
  for (let days = -200000; days < 3000000; days += 997) {
    const d = new Date(days * 86400000);
    assert.deepEqual(civilFromDays(days), [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()]);
  }
  // The largest FILETIME still formats (year 60056) without throwing.
  assert.match(formatFiletime(0xffffffff, 0xffffffff), /^60056-/);
});

// ------------------------------------------------------------------ templates

test('templates are defined once per chunk and reused by later records; names too', () => {
  const w = new ChunkWriter();
  const body = (w: ChunkWriter): void => {
    w.fragment();
    w.open('Event').closeStart();
    w.open('System').closeStart().open('EventRecordID').closeStart().subst(0, T.UInt64).end().end();
    w.open('EventData').closeStart();
    w.open('Data', { attrs: true }).attr('Name').text('Image').closeStart().subst(1, T.String).end();
    w.end().end().eof();
  };
  let def = 0;
  w.record(1, (w) => {
    w.fragment();
    def = w.instance(body, [[T.UInt64, le(8, 100n)], [T.String, utf16z('a.exe')]]);
    w.eof();
  });
  w.record(2, (w) => {
    w.fragment();
    w.instance(def, [[T.UInt64, le(8, 101n)], [T.String, utf16z('b.exe')]]);
    w.eof();
  });
  w.record(3, (w) => {
    w.fragment();
    // A second template that reuses the element names stored by the first.
    w.instance((w) => {
      w.fragment().open('Event').closeStart().open('EventData').closeStart();
      w.open('Data', { attrs: true }).attr('Name').text('Image').closeStart().subst(0, T.String).end();
      w.end().end().eof();
    }, [[T.String, utf16z('c.exe')]]);
    w.eof();
  });
  w.record(4, (w) => {
    w.fragment();
    w.instance(def, [[T.UInt64, le(8, 102n)], [T.String, utf16z('d.exe')]]);
    w.eof();
  });
  const { records, errors } = decode(evtxFile([w.finish()]));
  assert.deepEqual(errors, []);
  assert.deepEqual(records.map((r) => r.id), [1, 2, 3, 4]);
  assert.deepEqual(records.map((r) => r.event.Event.EventData.Image), ['a.exe', 'b.exe', 'c.exe', 'd.exe']);
  assert.deepEqual(records.map((r) => r.event.Event.System?.EventRecordID), [100, 101, undefined, 102]);
});

test('nested BinXML values (type 0x21): templates inside, and elements without a dependency identifier', () => {
  const w = new ChunkWriter();
  const eventTemplate = (w: ChunkWriter): void => {
    w.fragment().open('Event').closeStart();
    w.open('System').closeStart().open('Level').closeStart().subst(0, T.UInt8).end().end();
    w.subst(1, T.BinXml); // the provider's EventData or UserData
    w.subst(2, T.BinXml, true);
    w.end().eof();
  };
  const rawEventData = (text: string) => (w: ChunkWriter): void => {
    // Written directly in the value, element starts without the 2-byte dependency identifier.
    w.fragment();
    w.open('EventData', { dependency: false }).closeStart();
    w.open('Data', { dependency: false }).closeStart().text(text).end();
    w.end().eof();
  };
  let def = 0;
  w.record(1, (w) => {
    w.fragment();
    def = w.instance(eventTemplate, [
      [T.UInt8, le(1, 4)],
      [T.BinXml, (w) => {
        w.fragment();
        w.instance((w) => {
          w.fragment().open('UserData').closeStart();
          w.open('Op', { attrs: true }).attr('xmlns').text('urn:op').closeStart();
          w.open('User').closeStart().subst(0, T.String).end();
          w.open('Pid').closeStart().subst(1, T.UInt32).end();
          w.end().end().eof();
        }, [[T.String, utf16z('alice')], [T.UInt32, le(4, 42)]]);
        w.eof();
      }],
      [T.Null, Buffer.alloc(0)],
    ]);
    w.eof();
  });
  w.record(2, (w) => {
    w.fragment();
    w.instance(def, [[T.UInt8, le(1, 2)], [T.BinXml, rawEventData('raw')], [T.Null, Buffer.alloc(0)]]);
    w.eof();
  });
  w.record(3, (w) => {
    // Same raw elements, now naming the strings record 2 stored (offsets pointing back).
    w.fragment();
    w.instance(def, [[T.UInt8, le(1, 3)], [T.BinXml, rawEventData('again')], [T.Null, Buffer.alloc(0)]]);
    w.eof();
  });
  const { records, errors } = decode(evtxFile([w.finish()]));
  assert.deepEqual(errors, []);
  assert.deepEqual(records.map((r) => r.event), [
    { Event: { System: { Level: 4 }, UserData: { Op: { '#attributes': { xmlns: 'urn:op' }, User: 'alice', Pid: 42 } } } },
    { Event: { System: { Level: 2 }, EventData: { Data: { '#text': 'raw' } } } },
    { Event: { System: { Level: 3 }, EventData: { Data: { '#text': 'again' } } } },
  ]);
});

// ------------------------------------------------------------------ damage

/** A chunk of `n` small records (ids from `first`), each an instance of one template. */
function simpleChunk(first: number, n: number): { chunk: Buffer; offsets: number[] } {
  const w = new ChunkWriter();
  let def = 0;
  const offsets: number[] = [];
  for (let i = 0; i < n; i++) {
    offsets.push(w.record(first + i, (w) => {
      w.fragment();
      const values: [number, Buffer][] = [[T.UInt64, le(8, BigInt(first + i))], [T.String, utf16z(`cmd ${first + i}`)]];
      if (i === 0) {
        def = w.instance((w) => {
          w.fragment().open('Event').closeStart();
          w.open('System').closeStart().open('EventRecordID').closeStart().subst(0, T.UInt64).end().end();
          w.open('EventData').closeStart().open('Data', { attrs: true }).attr('Name').text('CommandLine').closeStart().subst(1, T.String).end().end();
          w.end().eof();
        }, values);
      } else w.instance(def, values);
      w.eof();
    }));
  }
  return { chunk: w.finish(), offsets };
}

const ids = (d: Decoded): number[] => d.records.map((r) => r.id);

test('dirty files: chunks beyond the header count, bad checksums, truncation, garbage in records', () => {
  const a = simpleChunk(1, 5);
  const b = simpleChunk(6, 5);

  // The header says one chunk (dirty files undercount): both are read, silently.
  let d = decode(evtxFile([a.chunk, b.chunk], 1));
  assert.deepEqual(ids(d), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.deepEqual(d.errors, []);
  assert.equal(d.records[5].offset, 4096 + 65536 + b.offsets[0]);

  // File header checksum wrong: reported at offset 0, records still read.
  let file = evtxFile([a.chunk]);
  file[124] ^= 0xff;
  d = decode(file);
  assert.deepEqual(ids(d), [1, 2, 3, 4, 5]);
  assert.equal(d.errors.length, 1);
  assert.match(d.errors[0].message, /file header at offset 0x0: checksum mismatch/);

  // Truncated in the middle of the second chunk: the records before the cut are read.
  file = evtxFile([a.chunk, b.chunk]).subarray(0, 4096 + 65536 + b.offsets[3] + 10);
  d = decode(file);
  assert.deepEqual(ids(d), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.ok(d.errors.some((e) => /chunk 1 at offset 0x11000: truncated/.test(e.message)), JSON.stringify(d.errors));

  // A record whose size copy is damaged: reported with its offset; the scan finds the next record.
  file = evtxFile([simpleChunk(1, 5).chunk]);
  const rec2 = 4096 + a.offsets[1];
  file.writeUInt32LE(0xdeadbeef, 4096 + a.offsets[2] - 4);
  d = decode(file);
  assert.deepEqual(ids(d), [1, 3, 4, 5]);
  assert.ok(d.errors.some((e) => e.offset === rec2 && e.message.includes(`no valid record at offset 0x${rec2.toString(16)}`) &&
    e.message.includes(`next record at 0x${(4096 + a.offsets[2]).toString(16)}`)), JSON.stringify(d.errors));
  assert.ok(d.errors.some((e) => /record data checksum mismatch/.test(e.message)));

  // Garbage inside a record's BinXML (framing intact): that record is reported, the others read.
  file = evtxFile([simpleChunk(1, 5).chunk]);
  file.fill(0x7f, 4096 + a.offsets[3] + 24, 4096 + a.offsets[3] + 40);
  d = decode(file);
  assert.deepEqual(ids(d), [1, 2, 3, 5]);
  assert.ok(d.errors.some((e) => e.offset === 4096 + a.offsets[3] && /record 4 at offset 0x[0-9a-f]+ skipped: /.test(e.message)), JSON.stringify(d.errors));

  // A damaged chunk signature inside the declared count: reported, and its records still recovered.
  file = evtxFile([a.chunk, simpleChunk(6, 5).chunk]);
  file.write('XXXXXXXX', 4096 + 65536, 'latin1');
  d = decode(file);
  assert.deepEqual(ids(d), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.ok(d.errors.some((e) => e.offset === 4096 + 65536 && /bad chunk signature/.test(e.message)));

  // A chunk whose template definition was wiped: its records are decoded with the same template
  // (same id) from a later chunk, after the last chunk; without such a copy they are reported.
  const wiped = simpleChunk(1, 5);
  const defData = 4096 + wiped.offsets[0] + 24 + 4 + 10 + 24;
  file = evtxFile([wiped.chunk, simpleChunk(6, 5).chunk]);
  file.fill(0, defData, defData + 4);
  d = decode(file);
  assert.deepEqual(ids(d), [6, 7, 8, 9, 10, 1, 2, 3, 4, 5]);
  assert.deepEqual(d.records.slice(5).map((r) => r.event.Event.EventData.CommandLine), ['cmd 1', 'cmd 2', 'cmd 3', 'cmd 4', 'cmd 5']);
  assert.deepEqual(d.records.slice(5).map((r) => r.offset), wiped.offsets.map((o) => 4096 + o));
  assert.ok(d.errors.every((e) => /checksum mismatch/.test(e.message)), JSON.stringify(d.errors));
  d = decode(file.subarray(0, 4096 + 65536));
  assert.deepEqual(ids(d), []);
  assert.equal(d.errors.filter((e) => /record \d at offset 0x[0-9a-f]+ skipped: template at 0x[0-9a-f]+ is damaged or missing/.test(e.message)).length, 5);

  // Unused (zero) chunk slots are not problems.
  d = decode(Buffer.concat([evtxFile([a.chunk], 3), Buffer.alloc(2 * 65536)]));
  assert.deepEqual(ids(d), [1, 2, 3, 4, 5]);
  assert.deepEqual(d.errors, []);

  // Too short to be anything.
  for (const n of [0, 7, 100, 4096, 4096 + 300]) {
    d = decode(evtxFile([a.chunk]).subarray(0, n));
    assert.equal(d.records.length, 0);
    if (n < 4096) assert.match(d.errors[0].message, /shorter than the 4096-byte EVTX header/);
  }
});

test('hostile BinXML: self-referencing templates, expansion bombs and deep nesting fail fast with an error', () => {
  // A template whose definition instantiates itself.
  let w = new ChunkWriter();
  w.record(1, (w) => {
    w.fragment();
    const at = w.pos;
    w.u8(0x0c).u8(1).u32(0).u32(at + 10).u32(0).bytes(Buffer.alloc(16)).u32(30);
    w.fragment().u8(0x0c).u8(1).u32(0).u32(at + 10).u32(0).eof();
    w.u32(0).eof();
  });
  let d = decode(evtxFile([w.finish()]));
  assert.equal(d.records.length, 0);
  assert.match(d.errors[0].message, /refers to itself|runs past/);

  // 100 × 100 × 100 expansion through nested BinXML values referencing the same template.
  w = new ChunkWriter();
  const hundred = (w: ChunkWriter): void => {
    w.fragment().open('X').closeStart();
    for (let i = 0; i < 100; i++) w.subst(0, T.BinXml);
    w.end().eof();
  };
  let def = 0;
  w = new ChunkWriter();
  w.record(1, (w) => {
    w.fragment();
    def = w.instance(hundred, [[T.String, utf16z('leaf')]]);
    w.eof();
  });
  w.record(2, (w) => {
    w.fragment();
    const level = (depth: number) => (w: ChunkWriter): void => {
      w.fragment();
      w.instance(def, [[depth ? T.BinXml : T.String, depth ? level(depth - 1) : utf16z('leaf')]]);
      w.eof();
    };
    w.instance(def, [[T.BinXml, level(2)]]);
    w.eof();
  });
  const t0 = Date.now();
  d = decode(evtxFile([w.finish()]));
  assert.deepEqual(ids(d), [1]);
  assert.match(d.errors[0].message, /record 2 at offset 0x[0-9a-f]+ skipped: record expands to too many nodes/);
  assert.ok(Date.now() - t0 < 2000, 'fails fast');

  // 20,000 nested elements: refused by the depth limit, not by a stack overflow.
  w = new ChunkWriter();
  w.record(1, (w) => {
    w.fragment();
    w.open('A').closeStart();
    for (let i = 0; i < 5000; i++) w.open('A').closeStart();
    w.eof();
  });
  d = decode(evtxFile([w.finish()]));
  assert.equal(d.records.length, 0);
  assert.match(d.errors[0].message, /nested too deeply/);
});

// ------------------------------------------------------------------ real T1049 events

function decodeFile(rel: string): Decoded {
  return decode(readFileSync(corpus(rel)));
}

test('real T1049 event: Security 4688 record 60400 runs `net  use` (two spaces)', () => {
  const d = decodeFile('evtx/mdecrevoisier-EVTX-to-MITRE-Attack/TA0007-Discovery/T1135.xxx-Network Share Discovery/ID4688-Network share discovery or connection via commandline.evtx');
  assert.deepEqual(d.errors, []);
  const hits = d.records.filter((r) => r.event.Event.System.EventRecordID === 60400);
  assert.equal(hits.length, 1);
  const ev = hits[0].event.Event;
  assert.equal(ev.System.EventID, 4688);
  assert.equal(ev.System.Channel, 'Security');
  assert.equal(ev.EventData.NewProcessName, 'C:\\Windows\\System32\\net.exe');
  assert.equal(ev.EventData.CommandLine, 'net  use');
  assert.equal(ev.EventData.NewProcessId, '0xd14');
  assert.equal(ev.EventData.SubjectLogonId, '0x1f4c65f');
});

test('real T1049 event: Sysmon 1 record 8112 runs NETSTAT.EXE -na', () => {
  const d = decodeFile('evtx/sbousseaden-EVTX-ATTACK-SAMPLES/Lateral Movement/powercat_revShell_sysmon_1_3.evtx');
  assert.deepEqual(d.errors, []);
  const hits = d.records.filter((r) => r.event.Event.System.EventRecordID === 8112);
  assert.equal(hits.length, 1);
  const ev = hits[0].event.Event;
  assert.equal(ev.System.EventID, 1);
  assert.equal(ev.System.Provider['#attributes'].Name, 'Microsoft-Windows-Sysmon');
  assert.equal(ev.EventData.Image, 'C:\\Windows\\System32\\NETSTAT.EXE');
  assert.equal(ev.EventData.CommandLine, '"C:\\Windows\\system32\\NETSTAT.EXE"  -na');
});

// ------------------------------------------------------------------ pipeline and CLI

const NET_USE = 'evtx/mdecrevoisier-EVTX-to-MITRE-Attack/TA0007-Discovery/T1135.xxx-Network Share Discovery/ID4688-Network share discovery or connection via commandline.evtx';

test('readLogFile reads .evtx (and .evtx.gz) into objects numbered by EventRecordID', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-evtx-'));
  try {
    const plain = corpus(NET_USE);
    const gz = join(dir, 'net-use.evtx.gz');
    writeFileSync(gz, gzipSync(readFileSync(plain)));
    for (const path of [plain, gz]) {
      const got: [unknown, number][] = [];
      const errors: string[] = [];
      const format = await readLogFile(path, {
        line: () => assert.fail('EVTX records are objects'),
        object: (o, r) => got.push([o, r]),
        error: (m) => errors.push(m),
      });
      assert.equal(format, 'evtx');
      assert.deepEqual(errors, []);
      assert.equal(got.length, 4);
      assert.ok(got.some(([, r]) => r === 60400), path);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('vigil dump prints JSON lines, reports damage on stderr with file and offset', () => {
  const cli = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
  let r = spawnSync(process.execPath, [cli, 'dump', corpus(NET_USE)], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 4);
  assert.ok(lines.some((e) => e.Event.EventData?.CommandLine === 'net  use'));
  assert.match(r.stderr, /4 records, 1 chunks, 0 problems/);

  const damaged = corpus('evtx/omerbenamram-evtx-samples/samples/sample-with-zero-data-size-event.evtx');
  r = spawnSync(process.execPath, [cli, 'dump', '--quiet', damaged], { encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(r.status, 0);
  assert.equal(r.stdout.trim().split('\n').length, 449);
  assert.match(r.stderr, /sample-with-zero-data-size-event\.evtx: chunk 0 at offset 0x1000: no valid record at offset 0x1820/);

  r = spawnSync(process.execPath, [cli, 'dump', join(REPO_ROOT, 'package.json')], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /package\.json: not an EVTX file; skipped/);
});
