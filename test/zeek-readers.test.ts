/**
 * Zeek logs: every corpus file (OTRF JSON with `@stream` and underscore
 * names, OTRF TSV, brimdata JSON with `_path`, brimdata TSV .log.gz) reads
 * row for row and normalizes to product zeek with the log name as service
 * and SigmaHQ's dotted field names; the same brimdata logs in TSV and JSON
 * give the same values; malformed input is reported by line and skipped.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { eventTime, normalizeObject } from '../src/normalize/index.js';
import { readZeekTsv } from '../src/sources/zeek/tsv.js';
import { zeekPathFromFileName } from '../src/sources/zeek/log-path.js';
import type { RecordSink } from '../src/sources/records.js';
import { corpus, filesUnder } from './corpus.js';
import { readEvents, readRecords } from './cloudnet-helpers.js';

const ZEEK = corpus('zeek');
const zeekFiles = [...filesUnder(ZEEK, '.log'), ...filesUnder(ZEEK, '.log.gz'), ...filesUnder(ZEEK, '.json')].sort();
const BRIM = join(ZEEK, 'brimdata-zed-sample-data');
const tmp = mkdtempSync(join(tmpdir(), 'vigil-zeek-'));
type Rec = Record<string, any>;

const text = (path: string): string => (path.endsWith('.gz') ? gunzipSync(readFileSync(path)) : readFileSync(path)).toString('utf8');
const dataLines = (t: string): string[] => t.split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l !== '' && !l.startsWith('#'));

/** The log name the data itself states: TSV `#path`, JSON `_path` or `@stream`. */
function statedPath(path: string): string {
  const t = text(path);
  const header = /^#path\t(.*)$/m.exec(t);
  if (header) return header[1];
  const first = JSON.parse(dataLines(t)[0]) as Rec;
  return first._path ?? first['@stream'];
}

describe('every Zeek file in the corpus', () => {
  it('covers the four kinds the MANIFEST lists', () => {
    assert.equal(zeekFiles.filter((f) => f.includes('/apt29/')).length, 49, 'OTRF apt29 JSON');
    assert.equal(zeekFiles.filter((f) => f.includes('/LSASS_campaign_')).length, 61, 'OTRF LSASS TSV');
    assert.equal(zeekFiles.filter((f) => f.includes('/zeek-json/')).length, 22, 'brimdata JSON');
    assert.equal(zeekFiles.filter((f) => f.endsWith('.log.gz')).length, 22, 'brimdata TSV .log.gz');
  });

  it('reads row for row (as many events as data lines), without errors, as product zeek / service = the log name', async () => {
    for (const f of zeekFiles) {
      const got = await readRecords(f);
      const tsv = text(f).startsWith('#separator');
      assert.equal(got.format, tsv ? 'zeek-tsv' : 'jsonl', f);
      assert.deepEqual(got.errors, [], f);
      assert.equal(got.objects.length, dataLines(text(f)).length, f);
      const service = statedPath(f);
      for (const o of got.objects) {
        const ev = normalizeObject(o);
        assert.equal(ev.logsource.product, 'zeek', f);
        assert.equal(ev.logsource.service, service, f);
        assert.ok(eventTime(ev), `${f}: every Zeek event has a time (ts)`);
      }
    }
  });

  it('TSV row: values typed as Zeek types them, unset fields left out (LSASS_campaign_01 conn.log)', async () => {
    const file = join(ZEEK, 'OTRF-Security-Datasets/datasets/compound/LSASS_campaign_01/zeek/conn.log');
    const t = text(file);
    const fields = /^#fields\t(.*)$/m.exec(t)![1].split('\t');
    const rows = dataLines(t);
    const i = rows.findIndex((r) => r.split('\t')[fields.indexOf('duration')] !== '-');
    const cols = rows[i].split('\t');
    const col = (name: string): string => cols[fields.indexOf(name)];
    const ev = (await readEvents(file))[i];
    assert.equal(ev.get('id.orig_h'), col('id.orig_h'));
    assert.equal(ev.get('id.resp_h'), col('id.resp_h'));
    assert.equal(ev.get('id.resp_p'), Number(col('id.resp_p')));
    assert.equal(ev.get('duration'), Number(col('duration')));
    assert.equal(ev.get('proto'), col('proto'));
    assert.equal(ev.get('local_orig'), col('local_orig') === 'T');
    assert.equal(ev.get('uid'), col('uid'));
    assert.equal(eventTime(ev), new Date(Number(col('ts')) * 1000).toISOString());
    for (const name of fields) if (col(name) === '-') assert.equal(ev.get(name.toLowerCase()), undefined, name);
  });

  it("OTRF JSON: underscore names also under Zeek's dotted names; names of their own keep the underscore", async () => {
    const file = join(ZEEK, 'OTRF-Security-Datasets/datasets/compound/apt29/day1/zeek/individual_zeek_logs/NASHUA_conn.log');
    const first = JSON.parse(dataLines(text(file))[0]) as Rec;
    const [ev] = await readEvents(file);
    for (const m of ['orig_h', 'orig_p', 'resp_h', 'resp_p']) assert.equal(ev.get(`id.${m}`), first[`id_${m}`]);
    assert.equal(ev.get('orig_bytes'), first.orig_bytes);
    assert.equal(ev.get('orig.bytes'), undefined);
    const smb = join(ZEEK, 'OTRF-Security-Datasets/datasets/compound/apt29/day1/zeek/individual_zeek_logs/NASHUA_smb_files.log');
    const s = JSON.parse(dataLines(text(smb))[0]) as Rec;
    const [sev] = await readEvents(smb);
    assert.equal(sev.get('times.modified'), s.times_modified);
  });

  it('escapes: \\\\ is one backslash, \\x0a a newline (brimdata dce_rpc and dpd, TSV)', async () => {
    const dce = await readRecords(join(BRIM, 'zeek-default/dce_rpc.log.gz'));
    const rawPipes = dataLines(text(join(BRIM, 'zeek-default/dce_rpc.log.gz'))).map((r) => r.split('\t')[7]);
    const i = rawPipes.findIndex((p) => p.includes('\\\\'));
    assert.equal((dce.objects[i] as Rec).named_pipe, rawPipes[i].replaceAll('\\\\', '\\'));
    const dpd = await readRecords(join(BRIM, 'zeek-default/dpd.log.gz'));
    const withNewline = dpd.objects.filter((o) => String((o as Rec).failure_reason).includes('\n'));
    assert.equal(withNewline.length, dataLines(text(join(BRIM, 'zeek-default/dpd.log.gz'))).filter((r) => r.includes('\\x0a')).length);
  });
});

describe('the same brimdata logs as TSV and as JSON', () => {
  it('give the same fields and values, row for row (differences only where the two writers differ)', async () => {
    const differences = new Map<string, number>();
    for (const json of filesUnder(join(BRIM, 'zeek-json'), '.json')) {
      const log = basename(json, '.json');
      const a = (await readRecords(join(BRIM, 'zeek-default', `${log}.log.gz`))).objects as Rec[];
      const b = (await readRecords(json)).objects as Rec[];
      assert.equal(a.length, b.length, log);
      a.forEach((x, i) => {
        const y: Rec = { ...b[i] };
        delete y._write_ts; // the JSON streaming writer's own member
        assert.deepEqual(Object.keys(x).sort(), Object.keys(y).sort(), `${log} row ${i + 1}`);
        for (const k of Object.keys(x)) {
          const u = x[k];
          let v = y[k];
          if (typeof v === 'string' && typeof u === 'number' && /^\d{4}-\d\d-\d\dT/.test(v)) v = Date.parse(v) / 1000; // ISO vs epoch time
          if (typeof u === 'number' && typeof v === 'number' && Math.abs(u - v) <= Math.max(1e-3, Math.abs(v) * 1e-6)) continue;
          if (JSON.stringify(u) === JSON.stringify(v)) continue;
          // Known writer differences: the JSON writer prints a control byte as the text "\x01";
          // TSV cannot tell an empty set from a set holding "" (both "(empty)").
          const kind = typeof v === 'string' && v.includes('\\x') ? 'control byte as text'
            : Array.isArray(u) && u.length === 0 && JSON.stringify(v) === '[""]' ? '(empty) set' : `${log}.${k}`;
          differences.set(kind, (differences.get(kind) ?? 0) + 1);
        }
      });
    }
    assert.deepEqual([...differences.keys()].sort(), ['(empty) set', 'control byte as text']);
  });
});

describe('where the log name comes from', () => {
  it('file names: plain, rotated, prefixed by a sensor, gzipped', () => {
    assert.equal(zeekPathFromFileName('/x/conn.log'), 'conn');
    assert.equal(zeekPathFromFileName('conn.04:00:00-05:00:00.log.gz'), 'conn');
    assert.equal(zeekPathFromFileName('dns.2024-01-01-00-00-00.log'), 'dns');
    assert.equal(zeekPathFromFileName('NASHUA_dce_rpc.log'), 'dce_rpc');
    assert.equal(zeekPathFromFileName('sensor-1_smb_files.json'), 'smb_files');
    assert.equal(zeekPathFromFileName('notes.log'), undefined);
  });

  it("Zeek's plain JSON writer (no _path): the reader adds it from the file name; an unknown name leaves the service open", async () => {
    const rows = dataLines(text(join(BRIM, 'zeek-json/dce_rpc.json'))).slice(0, 20).map((l) => {
      const o = JSON.parse(l) as Rec;
      delete o._path;
      delete o._write_ts;
      return JSON.stringify(o);
    });
    for (const [name, svc] of [['dce_rpc.log', 'dce_rpc'], ['sensor7_dce_rpc.json.gz', 'dce_rpc'], ['capture.json', undefined]] as const) {
      const p = join(tmp, name);
      const body = rows.join('\n') + '\n';
      writeFileSync(p, name.endsWith('.gz') ? gzipSync(body) : body);
      const got = await readRecords(p);
      assert.deepEqual(got.errors, []);
      assert.equal(got.objects.length, 20);
      got.objects.forEach((o, i) => {
        const ev = normalizeObject(o);
        assert.equal(ev.logsource.product, 'zeek', name);
        assert.equal(ev.logsource.service, svc, name);
        assert.equal(ev.get('operation'), (JSON.parse(rows[i]) as Rec).operation);
        assert.equal(ev.get('id.orig_h'), (JSON.parse(rows[i]) as Rec)['id.orig_h']);
      });
    }
  });

  it('TSV without #path: the file name', async () => {
    const t = text(join(BRIM, 'zeek-default/dce_rpc.log.gz')).replace(/^#path\t.*\n/m, '');
    const p = join(tmp, 'dce_rpc.20240412.log');
    writeFileSync(p, t);
    const got = await readRecords(p);
    assert.equal((got.objects[0] as Rec)._path, 'dce_rpc');
  });
});

interface Got { objects: Rec[]; records: number[]; errors: { message: string; record?: number }[] }

async function tsv(body: string | Buffer, chunk = 1 << 20, maxLine?: number): Promise<Got> {
  const got: Got = { objects: [], records: [], errors: [] };
  const sink: RecordSink = {
    line: () => assert.fail('the TSV reader hands on objects'),
    object: (o, r) => {
      got.objects.push(o as Rec);
      got.records.push(r);
    },
    error: (message, record) => got.errors.push({ message, record }),
  };
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
  async function* pieces(): AsyncIterable<Buffer> {
    for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk);
  }
  await readZeekTsv(pieces(), sink, undefined, maxLine);
  return got;
}

const HEADER = '#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n' +
  '#fields\tts\tid.orig_h\tid.resp_p\tlocal_orig\tservice\ttunnel_parents\n#types\ttime\taddr\tport\tbool\tstring\tset[string]\n';

describe('Zeek TSV reader on malformed input', () => {
  it('gives the same rows whatever the chunk boundaries', async () => {
    const bytes = readFileSync(join(ZEEK, 'OTRF-Security-Datasets/datasets/compound/LSASS_campaign_05/zeek/conn.log'));
    const whole = await tsv(bytes);
    for (const size of [1, 7, 4096]) assert.deepEqual((await tsv(bytes, size)).objects, whole.objects);
    assert.equal(whole.objects.length, dataLines(bytes.toString()).length);
  });

  it('a row with too few or too many columns: skipped, its line named; the rows around it kept', async () => {
    const got = await tsv(HEADER + '1.5\t10.0.0.1\t445\tT\tsmb\t-\n2.5\t10.0.0.2\t445\n3.5\t10.0.0.3\t80\tF\thttp\t-\textra\n4.5\t10.0.0.4\t53\tT\tdns\ta,b\n');
    assert.deepEqual(got.objects.map((o) => o['id.orig_h']), ['10.0.0.1', '10.0.0.4']);
    assert.deepEqual(got.records, [8, 11]);
    assert.deepEqual(got.errors.map((e) => e.record), [9, 10]);
    assert.match(got.errors[0].message, /^line 9: 3 columns where #fields names 6; row skipped$/);
    assert.deepEqual(got.objects[1].tunnel_parents, ['a', 'b']);
  });

  it('bad escapes and unreadable typed values: reported with line and column, kept as written', async () => {
    const got = await tsv(HEADER + '1.5\t10.0.0.1\tabc\tX\tbad\\qescape\\x4\t(empty)\n');
    assert.equal(got.objects.length, 1);
    const o = got.objects[0];
    assert.equal(o['id.resp_p'], 'abc');
    assert.equal(o.local_orig, 'X');
    assert.equal(o.service, 'bad\\qescape\\x4');
    assert.deepEqual(o.tunnel_parents, []);
    assert.deepEqual(got.errors.map((e) => e.message), [
      "line 8, column 3 'id.resp_p': 'abc' is not an integer (port); kept as text",
      "line 8, column 4 'local_orig': 'X' is not a bool (T or F); kept as text",
      "line 8, column 5 'service': invalid escape '\\qes' at character 4; kept as written",
      "line 8, column 5 'service': invalid escape '\\x4' at character 12; kept as written",
    ]);
  });

  it('rows without a #fields header: one error naming the lines, nothing made up', async () => {
    const got = await tsv('#separator \\x09\n#path\tconn\n1.5\t10.0.0.1\n2.5\t10.0.0.2\n' + HEADER + '3.5\t10.0.0.3\t80\tF\thttp\t-\n');
    assert.deepEqual(got.objects.map((o) => o['id.orig_h']), ['10.0.0.3']);
    assert.equal(got.errors.length, 1);
    assert.match(got.errors[0].message, /^2 data rows without a #fields header skipped \(lines 3–4\)$/);
    assert.equal(got.errors[0].record, 3);
  });

  it('#types not matching #fields: values read as text, with one error', async () => {
    const got = await tsv('#separator \\x09\n#fields\tts\tid.resp_p\n#types\ttime\n1.5\t445\n');
    assert.deepEqual(got.objects, [{ ts: '1.5', 'id.resp_p': '445' }]);
    assert.match(got.errors[0].message, /^line 3: #types names 1 types for 2 fields/);
  });

  it('several header blocks, each with its own separators and path; #close ends a block', async () => {
    const second = '#separator \\x7c\n#set_separator|;\n#empty_field|(none)\n#unset_field|?\n#path|dns\n#fields|ts|query|answers\n#types|time|string|vector[string]\n';
    const got = await tsv(HEADER + '1.5\t10.0.0.1\t445\tT\tsmb\t-\n#close\t2026-01-01-00-00-00\n' + second +
      '2.5|example.org|192.0.2.1;192.0.2.2\n3.5|?|(none)\n#close|x\n4.5|late\n');
    assert.deepEqual(got.objects, [
      { _path: 'conn', ts: 1.5, 'id.orig_h': '10.0.0.1', 'id.resp_p': 445, local_orig: true, service: 'smb' },
      { _path: 'dns', ts: 2.5, query: 'example.org', answers: ['192.0.2.1', '192.0.2.2'] },
      { _path: 'dns', ts: 3.5, answers: [] },
    ]);
    assert.equal(got.errors.length, 1);
    assert.match(got.errors[0].message, /^1 data row without a #fields header skipped \(lines 20–20\)$/);
  });

  it('a line longer than the limit is skipped whole; memory stays bounded', async () => {
    const long = '1.5\t10.0.0.1\t445\tT\t' + 'a'.repeat(5000) + '\t-\n';
    const got = await tsv(HEADER + long + '2.5\t10.0.0.2\t80\tF\thttp\t-\n', 700, 1024);
    assert.deepEqual(got.objects.map((o) => o.ts), [2.5]);
    assert.deepEqual(got.errors.map((e) => e.message), ['line 8 is longer than 1024 bytes; skipped']);
    assert.deepEqual(got.records, [9]);
  });

  it('a truncated .log.gz keeps the rows before the cut; a truncated JSON line is named by its line', async () => {
    const gz = readFileSync(join(BRIM, 'zeek-default/rdp.log.gz'));
    const cut = join(tmp, 'rdp-cut.log.gz');
    writeFileSync(cut, gz.subarray(0, Math.floor(gz.length / 2)));
    const a = await readRecords(cut);
    assert.ok(a.objects.length > 100, `rows before the cut: ${a.objects.length}`);
    assert.ok(a.errors.length >= 1);
    assert.match(a.errors[a.errors.length - 1].message, /unexpected end|read failed/i);

    const lines = dataLines(text(join(BRIM, 'zeek-json/rdp.json'))).slice(0, 10);
    const broken = join(tmp, 'rdp-cut.json');
    writeFileSync(broken, lines.join('\n').slice(0, -30));
    const b = await readRecords(broken);
    assert.equal(b.objects.length, 9);
    assert.deepEqual(b.errors.map((e) => e.record), [10]);
  });
});
