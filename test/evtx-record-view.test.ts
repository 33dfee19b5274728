/**
 * `vigil hunt` judges EVTX records before decoding them (record-view.ts):
 * their logsource from Provider Name, EventID and Channel alone, and the
 * needle scan over their values' JSON text fed straight from the chunk.
 * Skipping a record is only sound when both answer what the decoded record
 * says. Checked here on every record of every corpus .evtx against the
 * decoder's own rendering; and the text feed against JSON.stringify on
 * hostile strings.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonTextSink } from '../src/core/json-text.js';
import { NeedleScanner } from '../src/detect/prefilter.js';
import { readEvtxFile } from '../src/sources/evtx/index.js';
import { corpus, filesUnder } from './corpus.js';

/** Every JSON text a record's values are fed as (constant texts included), with nothing skipped. */
class Collect implements JsonTextSink {
  readonly texts = new Set<string>();
  utf16String(buf: Uint8Array, start: number, end: number): void {
    this.texts.add(JSON.stringify(Buffer.from(buf.subarray(start, end)).toString('utf16le')));
  }
  string(s: string): void {
    this.texts.add(JSON.stringify(s));
  }
  constants(texts: readonly string[]): void {
    for (const t of texts) this.string(t);
  }
  literal(s: string): void {
    this.texts.add(s);
  }
  wants(): boolean {
    return true;
  }
}

/** The JSON text of every scalar the rendered record holds as a value (not keys; not nulls or empty strings, which hold no needle). */
function leafTexts(v: unknown, out: string[]): void {
  if (v === null || v === '') return;
  if (Array.isArray(v)) for (const x of v) leafTexts(x, out);
  else if (typeof v === 'object') for (const x of Object.values(v)) leafTexts(x, out);
  else out.push(JSON.stringify(v));
}

const sys = (event: Record<string, unknown>): Record<string, unknown> =>
  ((event['Event'] as Record<string, unknown>)['System'] as Record<string, unknown>);

it('every corpus EVTX record: the undecoded view gives the rendered identity and every value text', async () => {
  const files = [...filesUnder(corpus('evtx'), '.evtx'), ...filesUnder(corpus('sigma-rules/regression_data'), '.evtx')];
  let viewed = 0;
  let scanned = 0;
  let declined = 0;
  const problems: string[] = [];
  for (const file of files) {
    let identity: Record<string, unknown> | undefined;
    let fed: Collect | null = null;
    await readEvtxFile(file, {
      gate: (raw) => {
        identity = raw.identity();
        const c = new Collect();
        fed = raw.scanValues(c) ? c : null;
        return true;
      },
      record: (event, id, _offset, judged) => {
        if (!judged) return;
        if (identity !== undefined) {
          viewed++;
          const s = sys(event);
          const provider = s['Provider'] as Record<string, Record<string, unknown>> | null | undefined;
          const want = { Provider: provider?.['#attributes']?.['Name'], EventID: s['EventID'], Channel: s['Channel'] };
          const got = { Provider: (identity['Provider'] as Record<string, Record<string, unknown>> | undefined)?.['#attributes']?.['Name'], EventID: identity['EventID'], Channel: identity['Channel'] };
          if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`${file} record ${id}: identity ${JSON.stringify(got)}, rendered ${JSON.stringify(want)}`);
        }
        if (fed === null) {
          declined++;
          return;
        }
        scanned++;
        const leaves: string[] = [];
        leafTexts(event, leaves);
        const have = (fed as Collect).texts;
        for (const l of leaves) if (!have.has(l)) problems.push(`${file} record ${id}: value ${l.slice(0, 80)} not fed`);
      },
      error: () => undefined,
    });
  }
  assert.deepEqual(problems.slice(0, 5), []);
  // The corpus holds some 28,000 records; nearly all are Windows' own template layout.
  assert.ok(viewed > 25000, `only ${viewed} records viewed`);
  assert.ok(scanned > 25000, `only ${scanned} records scanned (${declined} declined)`);
});

/** Needle ids found by scanning the UTF-8 of JSON.stringify(s): what the JSON-lines prefilter sees. */
function idsInJson(scanner: NeedleScanner, s: string): number[] | null {
  const json = JSON.stringify(s);
  if (/\\u/.test(json.replace(/\\\\/g, ''))) return null;
  const ids = new Set<number>();
  scanner.scan(Buffer.from(json, 'utf8'), 0, Buffer.byteLength(json), (id) => ids.add(id));
  return [...ids].sort();
}

function idsFed(scanner: NeedleScanner, s: string): number[] | null {
  const ids = new Set<number>();
  const buf = Buffer.from(s, 'utf16le');
  const end = scanner.feedUtf16Json(buf, 0, buf.length, scanner.initial, (id) => ids.add(id));
  const viaString = scanner.feedStringJson(s, scanner.initial, () => undefined);
  assert.equal(viaString < 0, end < 0, `feedStringJson and feedUtf16Json disagree on ${JSON.stringify(s)}`);
  return end < 0 ? null : [...ids].sort();
}

it('a value fed from UTF-16 finds exactly the needles its JSON text holds, escapes and all', () => {
  // Needles as needles.ts writes them: JSON-escaped, lower-case, quotes at anchored ends, non-ASCII as UTF-8.
  const needles = ['\\\\netstat.exe"', '"c:\\\\', 'a\\"b', 'tab\\there', 'é', 'x€y', '😀', '"', '\\\\', 'line\\nbreak', 'net use'];
  const scanner = new NeedleScanner(needles);
  const samples = [
    'C:\\Windows\\System32\\NETSTAT.EXE', 'c:\\x', 'say a"b', 'tab\there', 'line\nbreak', 'café', 'x€y', 'smile 😀',
    'lone \ud800 surrogate', 'low \udc00 first', 'nul\u0000inside', 'bell\u0007', 'del\u007f', 'form\ffeed', 'ret\rurn',
    '', '"', '\\', 'NET USE \\\\host', 'back\bspace', 'x\u2028y',
  ];
  // And random strings over the characters that matter.
  const alphabet = ['a', 'b', 'n', 'e', 't', 'x', 'y', ' ', '"', '\\', '\n', '\t', '\u0001', 'é', '€', '😀', '\ud800', '\udc00', 'C', ':', '.', 'E', 'X', 's', 'u'];
  let seed = 7;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed % n;
  };
  for (let i = 0; i < 3000; i++) {
    let s = '';
    for (let k = rand(24); k > 0; k--) s += alphabet[rand(alphabet.length)];
    samples.push(s);
  }
  for (const s of samples) assert.deepEqual(idsFed(scanner, s), idsInJson(scanner, s), `on ${JSON.stringify(s)}`);
});
