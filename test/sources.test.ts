/** Readers: chunk boundaries, oversized and broken records, format sniffing — on real corpus bytes. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { sniffFormat } from '../src/sources/format.js';
import { readJsonDocument } from '../src/sources/json-document.js';
import { readJsonLines } from '../src/sources/jsonl.js';
import { readLogFile } from '../src/sources/read-file.js';
import type { RecordSink } from '../src/sources/records.js';
import { corpus } from './corpus.js';

const SHARPVIEW = corpus('json/OTRF-Security-Datasets/datasets/atomic/windows/execution/host/cmd_sharpview_pcre_net_2020-10-2920232423.json');
const EVTX_DUMP_MULTI = corpus('sigma-rules/regression_data/rules/windows/file/file_event/file_event_win_anydesk_artefact/0b9ad457-2554-44c1-82c2-d56a99c42377.json');
const tmp = mkdtempSync(join(tmpdir(), 'vigil-sources-'));

interface Collected { lines: string[]; objects: unknown[]; errors: string[]; records: number[] }

function collector(): { sink: RecordSink; got: Collected } {
  const got: Collected = { lines: [], objects: [], errors: [], records: [] };
  const sink: RecordSink = {
    line: (buf, s, e, r) => {
      got.lines.push(buf.toString('utf8', s, e));
      got.records.push(r);
    },
    object: (o, r) => {
      got.objects.push(o);
      got.records.push(r);
    },
    error: (m) => got.errors.push(m),
  };
  return { sink, got };
}

async function* pieces(bytes: Buffer, sizes: () => number): AsyncIterable<Buffer> {
  for (let i = 0; i < bytes.length; ) {
    const n = Math.max(1, sizes());
    yield bytes.subarray(i, i + n);
    i += n;
  }
}

describe('JSON lines reader', () => {
  const bytes = readFileSync(SHARPVIEW);
  const expected = bytes.toString('utf8').split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l.trim());

  it('yields every line exactly, whatever the chunk boundaries (1 byte … 64 KiB)', async () => {
    let seed = 7;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    for (const sizes of [() => 1, () => 4096, () => 1 + (rnd() % 65536), () => 1 + (rnd() % 300)]) {
      const { sink, got } = collector();
      await readJsonLines(pieces(bytes, sizes), sink);
      assert.equal(got.lines.length, expected.length);
      assert.deepEqual(got.lines, expected);
      assert.deepEqual(got.records, expected.map((_, i) => i + 1));
    }
  });

  it('keeps nothing of a chunk once the next is asked for (readers reuse their buffers)', async () => {
    // Every piece lands in one scratch buffer that the next piece overwrites.
    async function* reused(sizes: () => number): AsyncIterable<Buffer> {
      const scratch = Buffer.alloc(65536);
      for (let i = 0; i < bytes.length; ) {
        const n = Math.min(scratch.length, Math.max(1, sizes()));
        scratch.fill(0x7e);
        const c = bytes.copy(scratch, 0, i, i + n);
        yield scratch.subarray(0, c);
        i += c;
      }
    }
    let seed = 11;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    for (const sizes of [() => 3, () => 1 + (rnd() % 5000)]) {
      const { sink, got } = collector();
      await readJsonLines(reused(sizes), sink);
      assert.deepEqual(got.lines, expected);
    }
  });

  it('reads a file whose lines span several read buffers, exactly', async () => {
    // Lines of 2.5 MiB span three of the reader's 1 MiB buffers; small ones sit between them (and first, so it sniffs as JSON lines).
    const lines = ['{"first":1}', '{"second":2}', ...[0, 1, 2].flatMap((k) => [JSON.stringify({ k, big: String.fromCharCode(97 + k).repeat(2_621_440) }), JSON.stringify({ k, small: true })])];
    const file = join(tmp, 'spanning.jsonl');
    writeFileSync(file, lines.join('\n') + '\n');
    const { sink, got } = collector();
    assert.equal(await readLogFile(file, sink), 'jsonl');
    assert.equal(got.lines.length, lines.length);
    for (let i = 0; i < lines.length; i++) assert.ok(got.lines[i] === lines[i], `line ${i + 1} differs`);
  });

  it('reads JSON lines whose first line is longer than the sniffed head, even past the size read whole as a document', async () => {
    // Constructed: a PowerShell 4104 script block of 200 KB first (no line end in the
    // first 64 KiB), then small events up to 129 MiB — more than a document is read whole.
    const first = JSON.stringify({ EventID: 4104, Channel: 'Microsoft-Windows-PowerShell/Operational', ScriptBlockText: 'Get-NetTCPConnection; '.repeat(9000) });
    const small = JSON.stringify({ EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational', CommandLine: 'netstat -ano', pad: 'p'.repeat(900) });
    const count = Math.ceil((129 * 1048576) / (small.length + 1));
    const file = join(tmp, 'long-first-line.jsonl');
    writeFileSync(file, first + '\n' + (small + '\n').repeat(count));
    let lines = 0;
    let firstSeen = '';
    const errors: string[] = [];
    const sink: RecordSink = {
      line: (buf, s, e) => {
        if (lines++ === 0) firstSeen = buf.toString('utf8', s, e);
      },
      object: () => assert.fail('JSON lines are handed on as lines'),
      error: (m) => errors.push(m),
    };
    assert.equal(await readLogFile(file, sink), 'jsonl');
    assert.deepEqual(errors, []);
    assert.equal(lines, count + 1);
    assert.ok(firstSeen === first);
    rmSync(file);
    // One document on one line, longer than the head, is still one document.
    const doc = join(tmp, 'one-line-document.json');
    writeFileSync(doc, JSON.stringify({ Records: [{ eventName: 'DescribeVpcs', pad: 'q'.repeat(100_000) }, { eventName: 'DescribeRouteTables' }] }));
    const { sink: docSink, got } = collector();
    assert.equal(await readLogFile(doc, docSink), 'json');
    assert.equal(got.objects.length, 2);
    // One event longer than a JSON line may be (64 MiB), ending in a line end: still read, whole.
    const huge = join(tmp, 'one-huge-event.json');
    writeFileSync(huge, JSON.stringify({ EventID: 4104, Channel: 'Microsoft-Windows-PowerShell/Operational', ScriptBlockText: 'x'.repeat(65 * 1048576) }) + '\n');
    const { sink: hugeSink, got: hugeGot } = collector();
    assert.equal(await readLogFile(huge, hugeSink), 'json');
    assert.deepEqual(hugeGot.errors, []);
    assert.equal(hugeGot.objects.length, 1);
    rmSync(huge);
  });

  it('skips an oversized line with an error naming it, and keeps the lines around it', async () => {
    const big = '{"x":"' + 'a'.repeat(5000) + '"}';
    const text = `{"n":1}\n${big}\n{"n":3}\r\n\n{"n":4}`;
    const { sink, got } = collector();
    await readJsonLines(pieces(Buffer.from(text), () => 700), sink, 1024);
    assert.deepEqual(got.lines, ['{"n":1}', '{"n":3}', '{"n":4}']);
    assert.equal(got.errors.length, 1);
    assert.match(got.errors[0], /line 2 is longer than 1024 bytes/);
    assert.deepEqual(got.records, [1, 3, 5]);
  });
});

describe('whole-file JSON documents', () => {
  it('reads evtx_dump output: several pretty objects back to back', () => {
    const text = readFileSync(EVTX_DUMP_MULTI, 'utf8');
    const { sink, got } = collector();
    assert.equal(readJsonDocument(text, sink), true);
    // The file holds five events (EventRecordID 14961 … 14990).
    const ids = got.objects.map((o) => (o as { Event: { System: { EventRecordID: number } } }).Event.System.EventRecordID);
    assert.deepEqual(ids, [14961, 14963, 14985, 14988, 14990]);
  });

  it('reports a broken object by index and offset and keeps the others', () => {
    const text = readFileSync(EVTX_DUMP_MULTI, 'utf8');
    const parts = text.split(/\n(?=\{)/);
    parts[1] = parts[1].replace('"EventID": 11', '"EventID": 11,,'); // damage the second object
    const { sink, got } = collector();
    readJsonDocument(parts.join('\n'), sink);
    assert.equal(got.objects.length, 4);
    assert.equal(got.errors.length, 1);
    assert.match(got.errors[0], /^object 2 at character offset \d+: invalid JSON/);
  });

  it('unwraps {"Records": [...]} and arrays', () => {
    const { sink, got } = collector();
    readJsonDocument('{"Records":[{"a":1},{"a":2}]}', sink);
    readJsonDocument('[{"b":1}]', sink);
    assert.deepEqual(got.objects, [{ a: 1 }, { a: 2 }, { b: 1 }]);
  });
});

describe('format detection and bad files', () => {
  it('sniffs EVTX, arrays, JSON lines and pretty JSON', () => {
    assert.equal(sniffFormat(Buffer.from('ElfFile\0rest')), 'evtx');
    assert.equal(sniffFormat(Buffer.from(' [ {"a":1} ]')), 'json');
    assert.equal(sniffFormat(readFileSync(SHARPVIEW).subarray(0, 65536)), 'jsonl');
    assert.equal(sniffFormat(readFileSync(EVTX_DUMP_MULTI)), 'json');
    assert.equal(sniffFormat(Buffer.from('\u00ff\u0000garbage', 'latin1')), 'unknown');
  });

  it('reads a real EVTX file through the EVTX reader', async () => {
    const evtx = corpus('evtx/sbousseaden-EVTX-ATTACK-SAMPLES/Lateral Movement/powercat_revShell_sysmon_1_3.evtx');
    const { sink, got } = collector();
    assert.equal(await readLogFile(evtx, sink), 'evtx');
    assert.deepEqual(got.errors, []);
    // MANIFEST: Sysmon EID 1, EventRecordID 8112, runs NETSTAT.EXE -na.
    const netstat = got.objects.find((o) => (o as { Event: { System: { EventRecordID: number } } }).Event.System.EventRecordID === 8112) as
      { Event: { EventData: { CommandLine: string } } } | undefined;
    assert.equal(netstat?.Event.EventData.CommandLine, '"C:\\Windows\\system32\\NETSTAT.EXE"  -na');
  });

  it('survives a truncated gzip file and a binary file with one clear error each', async () => {
    const gz = gzipSync(readFileSync(SHARPVIEW));
    const cut = join(tmp, 'cut.json.gz');
    writeFileSync(cut, gz.subarray(0, Math.floor(gz.length / 2)));
    const a = collector();
    await readLogFile(cut, a.sink);
    assert.ok(a.got.lines.length > 0, 'the lines before the cut are still read');
    assert.equal(a.got.errors.length, 1);
    assert.match(a.got.errors[0], /unexpected end|read failed|decompress/i);

    const bin = join(tmp, 'random.bin');
    writeFileSync(bin, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 73 + 41) & 0xff)));
    const b = collector();
    assert.equal(await readLogFile(bin, b.sink), 'unknown');
    assert.equal(b.got.errors.length, 1);
  });
});
