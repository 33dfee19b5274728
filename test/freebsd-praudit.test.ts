/**
 * FreeBSD audit trails printed by `praudit -x` (constructed fixtures, see
 * test/fixtures/freebsd/README.md): the streaming reader, the normalizer,
 * the FreeBSD T1049 rules, and damaged input — truncated records, garbage
 * between records, bad references, oversized records — reported by line
 * and byte offset while reading goes on.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { normalizeObject, productOf } from '../src/normalize/index.js';
import { sniffFormat } from '../src/sources/format.js';
import { readLogFile } from '../src/sources/read-file.js';
import { readPrauditXml } from '../src/sources/praudit/reader.js';
import type { RecordSink } from '../src/sources/records.js';
import { REPO_ROOT } from './corpus.js';
import { detectorFor, hunt, type HuntResult } from './unix-hunt.js';

const FIX = join(REPO_ROOT, 'test', 'fixtures', 'freebsd');
const T1049 = join(FIX, 'praudit_t1049_constructed.xml');
const BENIGN = join(FIX, 'praudit_benign_constructed.xml');
const RAW = join(FIX, 'praudit_raw_oneline_constructed.xml');
const SOCKSTAT_RULE = 'eeb70f06-4c6a-4e25-9cb4-ebee45e55284';
const TOOLS_RULE = '4a35e74b-71ae-4734-8a75-916ef2fb9ea9';
const tmp = mkdtempSync(join(tmpdir(), 'vigil-praudit-'));

interface Got { objects: Record<string, any>[]; records: number[]; errors: { message: string; record?: number; offset?: number }[] }

function collector(): { sink: RecordSink; got: Got } {
  const got: Got = { objects: [], records: [], errors: [] };
  return {
    got,
    sink: {
      line: () => assert.fail('praudit yields objects'),
      object: (o, r) => {
        got.objects.push(o as Record<string, any>);
        got.records.push(r);
      },
      error: (message, record, offset) => got.errors.push({ message, record, offset }),
    },
  };
}

async function* pieces(bytes: Buffer, size: () => number): AsyncIterable<Buffer> {
  for (let i = 0; i < bytes.length; ) {
    const n = Math.max(1, size());
    yield bytes.subarray(i, i + n);
    i += n;
  }
}

async function readText(text: string | Buffer, size = (): number => 1 << 20, max?: number): Promise<Got> {
  const { sink, got } = collector();
  await readPrauditXml(pieces(Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8'), size), sink, max);
  return got;
}

/** Line numbers (1-based) of each `<record ` in the text: where each record must be reported. */
function recordLines(text: string): number[] {
  return text.split('\n').flatMap((l, i) => (l.startsWith('<record ') ? [i + 1] : []));
}

const HEAD = "<?xml version='1.0' ?>\n<audit>\n";
const record = (pid: number, args: string[], path: string, extra = ''): string =>
  `<record version="11" event="execve(2)" modifier="0" time="Sun Nov 29 10:15:42 2026" msec=" + 120 msec" >\n` +
  `<exec_args>${args.map((a) => `<arg>${a}</arg>`).join('')}</exec_args>\n<path>${path}</path>\n${extra}` +
  `<subject audit-uid="alice" uid="alice" gid="alice" ruid="alice" rgid="alice" pid="${pid}" sid="4201" tid="36155192.0.2.10" />\n` +
  `<return errval="success" retval="0" />\n</record>\n`;

describe('praudit -x reader', () => {
  it('sniffs praudit XML, with or without the prolog, and not other XML', () => {
    assert.equal(sniffFormat(readFileSync(T1049)), 'praudit-xml');
    assert.equal(sniffFormat(Buffer.from('<record version="11" event="execve(2)" >')), 'praudit-xml');
    assert.equal(sniffFormat(Buffer.from('<?xml version="1.0"?><Events><Event/></Events>')), 'unknown');
  });

  it('yields one object per record, at the record\'s line, whatever the chunk boundaries', async () => {
    for (const f of [T1049, BENIGN, RAW]) {
      const bytes = readFileSync(f);
      const lines = recordLines(bytes.toString('utf8'));
      const whole = await readText(bytes);
      assert.deepEqual(whole.errors, []);
      assert.deepEqual(whole.records, lines, f);
      let seed = 11;
      const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
      for (const size of [() => 1, () => 7, () => 1 + (rnd() % 300)]) {
        const got = await readText(bytes, size);
        assert.deepEqual(got.errors, []);
        assert.deepEqual(got.records, lines);
        assert.deepEqual(got.objects, whole.objects);
      }
    }
  });

  it('reads a record into its tokens as printed', async () => {
    const [first] = (await readText(readFileSync(T1049))).objects;
    assert.deepEqual(first, {
      praudit: { version: '11', event: 'execve(2)', modifier: '0', time: 'Sun Nov 29 10:15:42 2026', msec: ' + 120 msec' },
      exec_args: ['sockstat', '-4'],
      path: ['/usr/bin/sockstat'],
      attribute: [{ mode: '100555', uid: 'root', gid: 'wheel', fsid: '1586479414', nodeid: '59431', device: '18446744073709551615' }],
      subject: { 'audit-uid': 'alice', uid: 'alice', gid: 'alice', ruid: 'alice', rgid: 'alice', pid: '4242', sid: '4201', tid: '36155192.0.2.10' },
      return: { errval: 'success', retval: '0' },
    });
  });

  it('undoes the printer\'s XML escapes and vis(3) escapes in arguments', async () => {
    const t = (await readText(readFileSync(T1049))).objects;
    const sh = t.find((o) => o.path[0] === '/bin/sh')!;
    assert.deepEqual(sh.exec_args, ['sh', '-c', 'sockstat -4 | grep ":22 " > /tmp/s.txt && cat /tmp/s.txt']);
    const b = (await readText(readFileSync(BENIGN))).objects;
    const printf = b.find((o) => o.path?.[0] === '/usr/bin/printf')!;
    assert.deepEqual(printf.exec_args, ['printf', 'a\tb', 'café', 'C:\\temp']);
  });

  it('keeps a raw path that holds markup (praudit prints paths unescaped)', async () => {
    const text = HEAD + record(1, ['x'], '/tmp/</record>/<record x>/</path>z/sockstat') + record(2, ['w'], '/usr/bin/w') + '</audit>\n';
    const got = await readText(text);
    assert.deepEqual(got.errors, []);
    assert.deepEqual(got.objects.map((o) => o.path[0]), ['/tmp/</record>/<record x>/</path>z/sockstat', '/usr/bin/w']);
  });
});

describe('praudit -x: damaged input', () => {
  it('a truncated last record: error with line and byte offset, the records before it kept', async () => {
    const full = HEAD + record(4242, ['sockstat', '-4'], '/usr/bin/sockstat') + record(4243, ['netstat', '-an'], '/usr/bin/netstat');
    const cut = full.slice(0, full.lastIndexOf('<path>'));
    const got = await readText(cut);
    assert.deepEqual(got.objects.map((o) => o.subject.pid), ['4242']);
    assert.equal(got.errors.length, 1);
    const start = cut.lastIndexOf('<record ');
    assert.equal(got.errors[0].offset, start);
    const line = cut.slice(0, start).split('\n').length;
    assert.equal(got.errors[0].record, line);
    assert.equal(got.errors[0].message, `line ${line}, byte offset ${start}: truncated record: the input ends before </record>`);
  });

  it('a record cut short by the next one: reported, the next one read', async () => {
    const a = record(1, ['sockstat', '-4'], '/usr/bin/sockstat');
    const text = HEAD + a.slice(0, a.indexOf('<path>') + 12) + '\n' + record(2, ['netstat', '-an'], '/usr/bin/netstat');
    const got = await readText(text, () => 5);
    assert.deepEqual(got.objects.map((o) => o.exec_args), [['netstat', '-an']]);
    assert.equal(got.errors.length, 1);
    assert.equal(got.errors[0].message, `line 3, byte offset ${HEAD.length}: truncated record: a new <record> starts before its </record>`);
  });

  it('garbage between records: reported once with its offset, skipped up to the next record', async () => {
    const text = HEAD + record(1, ['w'], '/usr/bin/w') + 'praudit: Error reading file\nmore junk\n' + record(2, ['w'], '/usr/bin/w') + '</audit>\n';
    const got = await readText(text, () => 3);
    assert.deepEqual(got.objects.map((o) => o.subject.pid), ['1', '2']);
    assert.equal(got.errors.length, 1);
    const at = text.indexOf('praudit: Error');
    assert.equal(got.errors[0].offset, at);
    const line = text.slice(0, at).split('\n').length;
    assert.equal(got.errors[0].message, `line ${line}, byte offset ${at}: unexpected text between records "praudit: Error reading file\\nmore junk\\n"; skipped up to the next <record>`);
  });

  it('bad references: reported with their offset, the record kept with the text as written', async () => {
    const text = HEAD + record(1, ['sockstat', '&bogus;', '&#xZZ;', '&#0;', 'a &amp b'], '/usr/bin/sockstat') + '</audit>\n';
    const got = await readText(text);
    assert.deepEqual(got.objects.map((o) => o.exec_args), [['sockstat', '&bogus;', '&#xZZ;', '&#0;', 'a &amp b']]);
    assert.deepEqual(got.errors.map((e) => e.offset), ['&bogus;', '&#xZZ;', '&#0;'].map((r) => text.indexOf(r)));
    assert.match(got.errors[0].message, /^line 4, byte offset \d+: bad XML reference &bogus; \(kept as written\)$/);
  });

  it('a record that does not parse is skipped with its offset; an oversized one too; neither stops the reading', async () => {
    const broken = '<record version="11" event="execve(2)" >\n<exec_args><arg>x</exec_args>\n</record>\n';
    const big = record(9, ['x'.repeat(5000)], '/usr/bin/w');
    const text = HEAD + broken + big + record(3, ['w'], '/usr/bin/w') + '</audit>\n';
    const got = await readText(text, () => 64, 4096);
    assert.deepEqual(got.objects.map((o) => o.subject.pid), ['3']);
    assert.equal(got.errors.length, 2);
    assert.equal(got.errors[0].offset, text.indexOf('</exec_args>'));
    assert.match(got.errors[0].message, /^line 4, byte offset \d+: <arg> not closed: found "<\/exec_args>.*; the record of line 3 skipped$/);
    assert.equal(got.errors[1].offset, text.indexOf(big));
    assert.match(got.errors[1].message, /record longer than 4096 bytes; skipped$/);
  });

  it('never throws or hangs on cut or corrupted trails (500 random mutations)', async () => {
    const bytes = readFileSync(T1049);
    const total = recordLines(bytes.toString('utf8')).length;
    let seed = 99;
    const rnd = (n: number): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
    for (let k = 0; k < 500; k++) {
      const b = Buffer.from(bytes.subarray(0, bytes.length - rnd(bytes.length)));
      for (let j = rnd(6); j > 0; j--) b[rnd(b.length)] = [0x3c, 0x3e, 0x22, 0x26, 0x0a, rnd(256)][rnd(6)];
      const got = await readText(b, () => 1 + rnd(200));
      assert.ok(got.objects.length <= total + 1);
      for (const e of got.errors) assert.match(e.message, /^line \d+, byte offset \d+: /);
    }
  });

  it('through readLogFile: sniffed, gunzipped, errors carry the line', async () => {
    const gz = join(tmp, 'trail.xml.gz');
    writeFileSync(gz, gzipSync(readFileSync(T1049)));
    const { sink, got } = collector();
    assert.equal(await readLogFile(gz, sink), 'praudit-xml');
    assert.equal(got.objects.length, recordLines(readFileSync(T1049, 'utf8')).length);
  });
});

describe('praudit: normalization', () => {
  it('successful exec records are freebsd process_creation with Image, CommandLine, User, ProcessId from the tokens', async () => {
    const objs = (await readText(readFileSync(T1049))).objects;
    for (const o of objs) {
      assert.equal(productOf(o), 'freebsd');
      const ev = normalizeObject(o);
      assert.deepEqual(ev.logsource, { product: 'freebsd', categories: ['process_creation'] });
      assert.equal(ev.get('image'), o.path[0]);
      assert.equal(ev.get('commandline'), o.exec_args.join(' '));
      assert.equal(ev.get('user'), o.subject.uid);
      assert.equal(ev.get('processid'), Number(o.subject.pid));
      assert.equal(ev.problems, undefined);
    }
    // sockstat run through sudo: the effective user, not the audit user.
    const root = normalizeObject(objs.find((o) => o.subject.pid === '4281')!);
    assert.equal(root.get('user'), 'root');
    assert.equal(root.get('subject.audit-uid'), 'alice');
  });

  it('a failed exec, an open(2) of the binary and a login are not process creations', async () => {
    const objs = (await readText(readFileSync(BENIGN))).objects;
    const cats = objs.map((o) => `${o.praudit.event}/${o.return.errval}:${normalizeObject(o).logsource.categories.join(',') || '-'}`);
    assert.deepEqual(cats.slice(-3), ['execve(2)/failure : Permission denied:-', 'open(2) - read/success:-', 'OpenSSH login/success:-']);
  });

  it('praudit -rlx: event number 23 is execve, epoch time puts the record on the timeline', async () => {
    const objs = (await readText(readFileSync(RAW))).objects;
    const ev = normalizeObject(objs[0]);
    assert.deepEqual(ev.logsource.categories, ['process_creation']);
    assert.equal(ev.get('user'), '1001');
    // time="1796040942" msec="120"
    assert.equal(ev.get('@timestamp'), new Date(1796040942 * 1000 + 120).toISOString());
  });
});

describe('praudit: the FreeBSD T1049 pack', () => {
  let pos: HuntResult;
  let neg: HuntResult;
  let raw: HuntResult;
  before(async () => {
    const pack = detectorFor([], true);
    [pos, neg, raw] = [await hunt(pack, [T1049]), await hunt(pack, [BENIGN]), await hunt(pack, [RAW])];
  });

  it('each T1049 command raises one alert from the right rule (sockstat → sockstat rule, the rest → tools rule)', async () => {
    const text = readFileSync(T1049, 'utf8');
    const objs = (await readText(text)).objects;
    const lines = recordLines(text);
    const expected = objs.flatMap((o, i) => {
      const tool = o.path[0].split('/').pop();
      if (tool === 'sh') return []; // the wrapper shell: its sockstat child is the record after it
      return [`${tool === 'sockstat' ? SOCKSTAT_RULE : TOOLS_RULE}@${lines[i]}`];
    });
    assert.equal(expected.length, 10);
    assert.deepEqual(pos.alerts.map((a) => `${a.rule.id}@${a.source.record}`), expected);
    assert.ok(pos.alerts.every((a) => a.rule.tags?.includes('attack.t1049') && a.rule.tags.includes('attack.discovery')));
    assert.deepEqual(pos.errors, []);
  });

  it('no look-alike raises anything (who, whoami, netstat -rn/-i, grep sockstat, arp, ifconfig, lsof -p, wc …/w, a failed sockstat, open of sockstat, login)', () => {
    assert.deepEqual(neg.alerts.map((a) => `${a.rule.title}@${a.source.record}`), []);
    assert.deepEqual(neg.errors, []);
    assert.equal(neg.events, recordLines(readFileSync(BENIGN, 'utf8')).length);
  });

  it('the -rlx trail: sockstat and netstat -an alert, plain who does not', () => {
    assert.deepEqual(raw.alerts.map((a) => `${a.rule.id}@${a.source.record}`), [`${SOCKSTAT_RULE}@3`, `${TOOLS_RULE}@4`]);
    assert.equal(raw.alerts[0].time, new Date(1796040942 * 1000 + 120).toISOString());
  });
});
