/**
 * SigmaHQ regression_data: every .evtx decoded by Vigil's native reader equals
 * its sibling .json (written by the Rust evtx crate's evtx_dump 0.8.x): same
 * record count, and per record the same Event object (System, EventData,
 * UserData, attributes, value types: numbers as numbers, hex as "0x…" text).
 *
 * Normalizations, applied to both sides here in the test only (the decoder
 * itself keeps values exact):
 *   1. trailing whitespace of strings is trimmed: evtx_dump 0.8.x trimmed it
 *      (0.10+ and libevtx keep it; see shared NOTES.md, "EVTX");
 *   2. GUIDs compared without braces, uppercase: evtx_dump 0.8.x printed
 *      GUID-typed values bare ("5770385F-…"), Windows and libevtx print
 *      "{5770385F-…}", which is what Vigil writes and rules spell;
 *   3. timestamps compared to the microsecond: evtx_dump writes six fractional
 *      digits, one .json here has nine ("…26.751156500Z", another build).
 * One .json was edited by hand after export (REFERENCE_EDITS): the .evtx, and
 * libevtx reading it, say otherwise; that difference is asserted exactly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { decodeEvtx } from '../src/sources/evtx/index.js';
import { readJsonDocument } from '../src/sources/json-document.js';
import { corpus, filesUnder } from './corpus.js';

const ROOT = corpus('sigma-rules/regression_data');

/** file basename → field path → [value in the .evtx, value in the hand-edited .json]. */
const REFERENCE_EDITS: Record<string, Record<string, [string, string]>> = {
  'ad691d92-15f2-4181-9aa4-723c74f9ddc3.evtx': {
    'Event.EventData.ParentCommandLine': ['C:\\Windows\\Explorer.EXE', 'C:\\Windows\\Explorer.exe'],
  },
};

const GUID = /^\{?([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})\}?$/;
const TIME = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d+)Z$/;

function normalize(v: unknown): unknown {
  if (typeof v === 'string') {
    const g = GUID.exec(v);
    if (g) return g[1].toUpperCase();
    const t = TIME.exec(v);
    if (t) return `${t[1]}.${t[2].padEnd(6, '0').slice(0, 6)}Z`;
    return v.trimEnd();
  }
  if (Array.isArray(v)) return v.map(normalize);
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = normalize(x);
    return o;
  }
  return v;
}


function readJsonObjects(path: string): unknown[] {
  const objs: unknown[] = [];
  const ok = readJsonDocument(readFileSync(path, 'utf8'), {
    line: () => undefined,
    object: (o) => objs.push(o),
    error: (m) => assert.fail(`${path}: ${m}`),
  });
  assert.ok(ok, `${path}: not JSON`);
  return objs;
}

/** Paths (a.b.c) where two values differ. */
function differences(a: unknown, b: unknown, path: string, out: [string, unknown, unknown][]): void {
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    for (const k of new Set([...ka, ...kb])) {
      differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k, out);
    }
    return;
  }
  try {
    assert.deepStrictEqual(a, b);
  } catch {
    out.push([path, a, b]);
  }
}

test('regression_data: every .evtx decodes to exactly its evtx_dump .json', () => {
  const files = filesUnder(ROOT, '.evtx');
  assert.ok(files.length >= 200, `expected the ~202 regression .evtx files, found ${files.length}`);
  let records = 0;
  const unexpected: string[] = [];
  const editsSeen = new Set<string>();
  for (const file of files) {
    const mine: unknown[] = [];
    const errors: string[] = [];
    decodeEvtx(readFileSync(file), { record: (e) => mine.push(e), error: (m) => errors.push(m) });
    assert.deepEqual(errors, [], `${file}: decode problems`);
    const ref = readJsonObjects(file.replace(/\.evtx$/, '.json'));
    assert.equal(mine.length, ref.length, `${file}: record count`);
    const edits = REFERENCE_EDITS[basename(file)] ?? {};
    for (let i = 0; i < mine.length; i++) {
      records++;
      const diffs: [string, unknown, unknown][] = [];
      differences(normalize(mine[i]), normalize(ref[i]), '', diffs);
      for (const [path, a, b] of diffs) {
        const known = edits[path];
        if (known && a === known[0] && b === known[1]) editsSeen.add(`${basename(file)}:${path}`);
        else unexpected.push(`${file} record ${i + 1}: ${path}: Vigil ${JSON.stringify(a)} vs evtx_dump ${JSON.stringify(b)}`);
      }
    }
  }
  assert.deepEqual(unexpected, [], 'differences from evtx_dump');
  assert.equal(editsSeen.size, Object.values(REFERENCE_EDITS).reduce((n, e) => n + Object.keys(e).length, 0), 'every listed reference edit is still there');
  assert.ok(records >= 230, `records compared: ${records}`);
});

test('regression_data: numbers stay numbers, GUIDs get braces, trailing whitespace is kept', () => {
  const decode = (name: string): Record<string, any>[] => {
    const file = filesUnder(ROOT, '.evtx').find((f) => basename(f) === name);
    assert.ok(file, name);
    const events: Record<string, any>[] = [];
    decodeEvtx(readFileSync(file), { record: (e) => events.push(e), error: (m) => assert.fail(m) });
    return events;
  };
  // A Sysmon 1 record: typed System values and EventData.
  const [sysmon] = decode('ad691d92-15f2-4181-9aa4-723c74f9ddc3.evtx');
  const sys = sysmon.Event.System;
  assert.equal(sys.EventID, 1);
  assert.equal(sys.EventRecordID, 23419552);
  assert.deepEqual(sys.Execution, { '#attributes': { ProcessID: 2248, ThreadID: 3912 } });
  assert.equal(sys.Keywords, '0x8000000000000000');
  assert.equal(sys.Provider['#attributes'].Guid, '{5770385F-C22A-43E0-BF4C-06F5698FFBD9}');
  assert.equal(sys.TimeCreated['#attributes'].SystemTime, '2026-03-20T08:31:26.751156Z');
  assert.equal(sys.Correlation, null);
  assert.equal(sysmon.Event.EventData.TerminalSessionId, 1);
  assert.equal(sysmon.Event.EventData.LogonId, '0x376c3');
  assert.equal(sysmon.Event.EventData.ProcessGuid, '{0AF88113-05DE-69BD-4187-070000009900}');
  // evtx_dump 0.8.x wrote '"C:\Windows\system32\cmd.exe"' here; the record holds a trailing space.
  const [chrome] = decode('0e8cfe08-02c9-4815-a2f8-0d157b7ed33e.evtx');
  assert.equal(chrome.Event.EventData.ParentCommandLine, '"C:\\Windows\\system32\\cmd.exe" ');
  const ref = readJsonObjects(filesUnder(ROOT, '.evtx').find((f) => basename(f) === '0e8cfe08-02c9-4815-a2f8-0d157b7ed33e.evtx')!.replace(/\.evtx$/, '.json'));
  assert.equal((ref[0] as Record<string, any>).Event.EventData.ParentCommandLine, '"C:\\Windows\\system32\\cmd.exe"');
});
