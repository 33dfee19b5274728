/**
 * Differential test against libevtx (`evtxexport -f xml`, Debian libevtx-utils;
 * installed here with apt-get when missing, as CI runs as root), over every
 * .evtx in the shared corpus: corpus/evtx/ and sigma-rules/regression_data/.
 *
 * Per file: Vigil finds at least as many records as libevtx and every record
 * libevtx exports (matched by System/EventRecordID, in order). Per record:
 * every System element and attribute, every EventData name → value pair and
 * every UserData leaf (element text and attributes) is equal after these
 * normalizations, which only undo formatting choices:
 *   - hex integers: libevtx pads them (0x00000000000003e7), Vigil does not
 *     (0x3e7, as rules are written); libevtx prints size_t values in decimal
 *     (588), Windows, evtx_dump and Vigil in hex (0x24c): integers are
 *     compared by value, whatever the base;
 *   - timestamps: libevtx prints nine fractional digits, Vigil (as evtx_dump) six;
 *     compared to the microsecond;
 *   - GUIDs and hex binary compared case-insensitively;
 *   - numbers compared by value (libevtx prints text, Vigil typed numbers);
 *   - absent, empty and null are the same (libevtx leaves out an element whose
 *     optional substitution is null; Vigil keeps it as null, as evtx_dump does);
 *   - a value consisting only of line breaks is empty: libevtx renders it so
 *     (its format notes: "a content string containing an end-of-line character
 *     seems to be considered empty by Event Viewer"); Vigil keeps the bytes;
 *   - a repeated <Data Name="X"> (Vigil: X, X_1, …; libevtx: the elements) and
 *     array values are compared as the list of their values.
 * libevtx stops at the first record it cannot read (8 files here, forwarded
 * events without templates, which Vigil reads): those files count 0 for it.
 *
 * Also here, because it needs the same libevtx run: the malformed samples
 * (omerbenamram-evtx-samples) are recovered at least as well as libevtx does.
 */
import { aptInstall } from './apt.js';
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { decodeEvtx } from '../src/sources/evtx/index.js';
import { CORPUS, corpus, filesUnder } from './corpus.js';

// ---------------------------------------------------------------- libevtx

function haveEvtxexport(): boolean {
  return !spawnSync('evtxexport', ['-V'], { stdio: 'ignore' }).error;
}

/**
 * Installs libevtx-utils when evtxexport is missing (CI runs as root). Returns
 * why the comparison cannot run when not root; throws when root and apt-get fails.
 */
function ensureEvtxexport(): string | undefined {
  if (haveEvtxexport()) return undefined;
  if (process.getuid?.() !== 0) return 'evtxexport is missing and installing libevtx-utils needs root';
  aptInstall(['libevtx-utils']);
  if (!haveEvtxexport()) throw new Error('evtxexport missing and `apt-get install -y libevtx-utils` failed');
  return undefined;
}

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const XML_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function unescapeXml(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (m, e: string) =>
    e[0] === '#' ? String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)) : XML_ENTITIES[e] ?? m);
}

/** The top-level elements of evtxexport's XML output (one <Event> per record). */
function parseXmlEvents(xml: string): XmlElement[] {
  const events: XmlElement[] = [];
  const stack: XmlElement[] = [];
  let i = 0;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    if (lt < 0) break;
    if (stack.length && lt > i) stack[stack.length - 1].text += unescapeXml(xml.slice(i, lt));
    if (xml.startsWith('<![CDATA[', lt)) {
      const e = xml.indexOf(']]>', lt);
      if (stack.length) stack[stack.length - 1].text += xml.slice(lt + 9, e < 0 ? xml.length : e);
      i = e < 0 ? xml.length : e + 3;
      continue;
    }
    if (xml.startsWith('<?', lt) || xml.startsWith('<!--', lt)) {
      const e = xml.indexOf(xml[lt + 1] === '?' ? '?>' : '-->', lt);
      i = e < 0 ? xml.length : e + (xml[lt + 1] === '?' ? 2 : 3);
      continue;
    }
    let gt = lt + 1;
    for (let quoted = false; gt < xml.length; gt++) {
      if (xml[gt] === '"') quoted = !quoted;
      else if (xml[gt] === '>' && !quoted) break;
    }
    const tag = xml.slice(lt + 1, gt);
    i = gt + 1;
    if (tag[0] === '/') {
      const el = stack.pop();
      if (el && !stack.length) events.push(el);
      continue;
    }
    const selfClosing = tag.endsWith('/');
    const body = selfClosing ? tag.slice(0, -1) : tag;
    const name = /^\S+/.exec(body)?.[0] ?? '';
    const el: XmlElement = { name, attrs: {}, children: [], text: '' };
    for (const a of body.slice(name.length).matchAll(/([^\s=]+)="([^"]*)"/g)) el.attrs[a[1]] = unescapeXml(a[2]);
    if (stack.length) stack[stack.length - 1].children.push(el);
    if (selfClosing) {
      if (!stack.length) events.push(el);
    } else stack.push(el);
  }
  return events;
}

interface LibevtxResult {
  events: XmlElement[];
  failed: boolean;
}

function runEvtxexport(file: string): Promise<LibevtxResult> {
  return new Promise((resolve) => {
    execFile('evtxexport', ['-f', 'xml', file], { maxBuffer: 1 << 30, timeout: 120_000, encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve({ events: parseXmlEvents(stdout), failed: !!err || /unable to/i.test(stderr) });
    });
  });
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  }));
  return out;
}

// ---------------------------------------------------------------- flattening

type Flat = Map<string, string[]>;

function put(m: Flat, key: string, value: string): void {
  const list = m.get(key);
  if (list) list.push(value);
  else m.set(key, [value]);
}

function text(v: unknown): string[] {
  if (v === null || v === undefined) return [''];
  if (Array.isArray(v)) return v.flatMap(text);
  if (typeof v === 'object') return [JSON.stringify(v)];
  return [String(v)];
}

/** libevtx record → System / EventData / UserData as key → values. */
function flattenLibevtx(ev: XmlElement): Flat {
  const m: Flat = new Map();
  for (const part of ev.children) {
    if (part.name === 'System') {
      for (const s of part.children) {
        for (const [k, v] of Object.entries(s.attrs)) put(m, `System.${s.name}@${k}`, v);
        if (!s.children.length) put(m, `System.${s.name}`, s.text);
      }
    } else if (part.name === 'EventData') {
      for (const d of part.children) {
        if (d.name === 'Data' && d.attrs['Name'] !== undefined) put(m, `EventData.${d.attrs['Name']}`, d.text);
        else put(m, `EventData.${d.name}`, d.text);
      }
    } else if (part.name === 'UserData') {
      flattenXmlLeaves(part, 'UserData', m);
    }
  }
  return m;
}

function flattenXmlLeaves(el: XmlElement, path: string, m: Flat): void {
  for (const [k, v] of Object.entries(el.attrs)) if (k !== 'xmlns' && !k.startsWith('xmlns:')) put(m, `${path}@${k}`, v);
  if (!el.children.length) {
    put(m, path, el.text);
    return;
  }
  for (const c of el.children) flattenXmlLeaves(c, `${path}.${c.name}`, m);
}

/** The name a key had before Vigil made it unique ("LogonGuid_1" → "LogonGuid" when that exists). */
function baseKey(obj: Record<string, unknown>, k: string): string {
  const m = /^(.*)_\d+$/.exec(k);
  return m && Object.hasOwn(obj, m[1]) ? m[1] : k;
}

/** Vigil record → the same flat form. */
function flattenVigil(obj: Record<string, any>): Flat {
  const m: Flat = new Map();
  const ev = obj['Event'] ?? {};
  for (const [k, v] of Object.entries<any>(ev['System'] ?? {})) {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      for (const [a, av] of Object.entries(v['#attributes'] ?? {})) for (const t of text(av)) put(m, `System.${k}@${a}`, t);
      if ('#text' in v) for (const t of text(v['#text'])) put(m, `System.${k}`, t);
    } else for (const t of text(v)) put(m, `System.${k}`, t);
  }
  const data = ev['EventData'];
  if (data && typeof data === 'object') {
    for (const [k, v] of Object.entries<any>(data)) {
      if (k === '#attributes') continue;
      const value = k === 'Data' && v && typeof v === 'object' && '#text' in v ? v['#text'] : v;
      for (const t of text(value)) put(m, `EventData.${baseKey(data, k)}`, t);
    }
  }
  if (ev['UserData'] && typeof ev['UserData'] === 'object') flattenVigilLeaves(ev['UserData'], 'UserData', m);
  return m;
}

function flattenVigilLeaves(v: any, path: string, m: Flat): void {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    for (const t of text(v)) put(m, path, t);
    return;
  }
  for (const [k, x] of Object.entries<any>(v)) {
    if (k === '#attributes') {
      for (const [a, av] of Object.entries(x)) if (a !== 'xmlns' && !a.startsWith('xmlns:')) for (const t of text(av)) put(m, `${path}@${a}`, t);
    } else if (k === '#text') for (const t of text(x)) put(m, path, t);
    else flattenVigilLeaves(x, `${path}.${baseKey(v, k)}`, m);
  }
}

// ---------------------------------------------------------------- comparison

const GUID = /^\{?([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})\}?$/;
const TIME = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/;

function normalizeValue(s: string): string {
  if (/^[\r\n]+$/.test(s)) return '';
  if (/^0x[0-9a-fA-F]+$/.test(s) || /^\d+$/.test(s)) return BigInt(s).toString();
  const t = TIME.exec(s);
  if (t) return `${t[1]}.${(t[2] ?? '').padEnd(6, '0').slice(0, 6)}Z`;
  const g = GUID.exec(s);
  if (g) return g[1].toUpperCase();
  if (/^[0-9a-fA-F]+$/.test(s) && s.length % 2 === 0) return s.toUpperCase();
  if (s !== '' && s.trim() === s && Number.isFinite(Number(s))) return String(Number(s));
  return s;
}

function normalizeList(list: string[] | undefined): string {
  const vals = (list ?? []).map(normalizeValue);
  return vals.every((v) => v === '') ? '' : JSON.stringify(vals);
}

function compareRecords(lib: Flat, mine: Flat): string[] {
  const out: string[] = [];
  for (const k of new Set([...lib.keys(), ...mine.keys()])) {
    const a = normalizeList(lib.get(k));
    const b = normalizeList(mine.get(k));
    if (a !== b) out.push(`${k}: libevtx ${a || '(empty)'} vs Vigil ${b || '(empty)'}`);
  }
  return out;
}


interface FileRun {
  file: string;
  lib: LibevtxResult;
  mine: Record<string, any>[];
  errors: { message: string; offset: number }[];
}

let unavailable: string | undefined;
let runs: FileRun[] = [];

before(async () => {
  unavailable = ensureEvtxexport();
  if (unavailable) return;
  const files = [...filesUnder(corpus('evtx'), '.evtx'), ...filesUnder(corpus('sigma-rules/regression_data'), '.evtx')].sort();
  const libs = await mapLimit(files, 2, runEvtxexport);
  runs = files.map((file, i) => {
    const mine: Record<string, any>[] = [];
    const errors: { message: string; offset: number }[] = [];
    decodeEvtx(readFileSync(file), { record: (e) => mine.push(e), error: (message, offset) => errors.push({ message, offset }) });
    return { file, lib: libs[i], mine, errors };
  });
}, { timeout: 600_000 });

test('libevtx differential: record counts and every System / EventData / UserData value', (t) => {
  if (unavailable) return t.skip(unavailable);
  assert.ok(runs.length >= 600, `files: ${runs.length}`);
  let compared = 0;
  let libTotal = 0;
  let mineTotal = 0;
  const problems: string[] = [];
  const libFailed: string[] = [];
  for (const { file, lib, mine } of runs) {
    const name = relative(CORPUS, file);
    libTotal += lib.events.length;
    mineTotal += mine.length;
    if (lib.failed) libFailed.push(`${name} (libevtx ${lib.events.length}, Vigil ${mine.length})`);
    if (mine.length < lib.events.length) problems.push(`${name}: Vigil ${mine.length} records, libevtx ${lib.events.length}`);
    const byId = new Map<string, Flat[]>();
    for (const m of mine) {
      const flat = flattenVigil(m);
      const id = flat.get('System.EventRecordID')?.[0] ?? '';
      byId.set(id, [...(byId.get(id) ?? []), flat]);
    }
    for (const ev of lib.events) {
      const flat = flattenLibevtx(ev);
      const id = flat.get('System.EventRecordID')?.[0] ?? '';
      const match = byId.get(id)?.shift();
      if (!match) {
        problems.push(`${name}: libevtx record ${id} not found in Vigil's output`);
        continue;
      }
      compared++;
      for (const d of compareRecords(flat, match)) problems.push(`${name} record ${id}: ${d}`);
    }
  }
  t.diagnostic(`${runs.length} files; libevtx ${libTotal} records, Vigil ${mineTotal}; ${compared} records compared field by field`);
  t.diagnostic(`libevtx gave up on ${libFailed.length} files:`);
  for (const f of libFailed) t.diagnostic(`  ${f}`);
  const byKind = new Map<string, number>();
  for (const p of problems) {
    const k = /record \S+: ([^:]+):/.exec(p)?.[1] ?? p.slice(0, 60);
    byKind.set(k, (byKind.get(k) ?? 0) + 1);
  }
  assert.deepEqual(problems.slice(0, 30), [], `${problems.length} differences: ${JSON.stringify([...byKind])}`);
  assert.ok(compared >= 26000, `records compared: ${compared}`);
});

test('malformed samples: Vigil recovers at least what libevtx does and reports damage with offsets', (t) => {
  if (unavailable) return t.skip(unavailable);
  const samples = runs.filter((r) => r.file.includes('omerbenamram-evtx-samples'));
  assert.equal(samples.length, 15);
  const lines: string[] = [];
  for (const { file, lib, mine, errors } of samples) {
    const name = relative(corpus('evtx/omerbenamram-evtx-samples/samples'), file);
    lines.push(`${name}: Vigil ${mine.length}, libevtx ${lib.events.length}${lib.failed ? ' (gave up)' : ''}, ${errors.length} problems reported`);
    assert.ok(mine.length >= lib.events.length, `${name}: Vigil ${mine.length} < libevtx ${lib.events.length}`);
    for (const e of errors) {
      assert.match(e.message, /offset 0x[0-9a-f]+/, `${name}: message names an offset`);
      assert.ok(e.offset >= 0 && e.offset <= readFileSync(file).length, `${name}: offset ${e.offset} inside the file`);
    }
  }
  for (const l of lines) t.diagnostic(l);
  const run = (n: string): FileRun => samples.find((r) => r.file.endsWith(`/${n}`))!;
  // Damage is reported where it is, and reading goes on past it.
  const badMagic = run('sample_with_a_bad_chunk_magic.evtx');
  assert.ok(badMagic.errors.some((e) => /chunk 6 at offset 0x61000: bad chunk signature/.test(e.message)));
  // Chunks 6 and 10 lost their header and template definitions; their 82 records are decoded
  // with the same template from the file's intact chunks.
  assert.equal(badMagic.mine.length, 380);
  assert.ok(badMagic.mine.every((e) => typeof e.Event?.System?.EventRecordID === 'number'));
  const zero = run('sample-with-zero-data-size-event.evtx');
  assert.ok(zero.errors.some((e) => /no valid record at offset 0x1820/.test(e.message)));
  assert.ok(zero.mine.length > zero.lib.events.length);
  const noCrc = run('Application_no_crc32.evtx');
  assert.ok(noCrc.errors.some((e) => /checksum mismatch/.test(e.message)));
  assert.equal(noCrc.mine.length, 17);
  assert.equal(run('security_bad_string_cache.evtx').mine.length, 2261);
  assert.equal(run('sample-with-irregular-bool-values.evtx').mine.length, 3028);
  for (const n of ['security.evtx', 'sysmon.evtx', 'system.evtx', 'Security_with_size_t.evtx']) assert.deepEqual(run(n).errors, [], n);
});
