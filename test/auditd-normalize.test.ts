/**
 * auditd events → Sigma fields and logsource: the raw log and LAUREL's
 * JSON for the same input normalize alike; process_creation only for a
 * successful execve/execveat on every arch; SigmaHQ's Linux rules all load
 * and fire on the corpus only where the logged command is what they name;
 * the raw-line prefilter stays sound on auditd JSON lines.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Detector } from '../src/detect/engine.js';
import { derivedPolicyFor, eventHost, normalizeObject } from '../src/normalize/index.js';
import type { FlatEvent } from '../src/normalize/flat-event.js';
import { Hunt } from '../src/pipeline/hunt.js';
import { readLogFile } from '../src/sources/read-file.js';
import { findRuleFiles, loadSigmaFile } from '../src/sigma/load.js';
import type { SigmaDocument } from '../src/sigma/model.js';
import { REPO_ROOT, corpus, filesUnder } from './corpus.js';

type Json = Record<string, any>;

async function readObjects(path: string): Promise<{ obj: Json; record: number }[]> {
  const out: { obj: Json; record: number }[] = [];
  await readLogFile(path, {
    line: (buf, s, e, record) => out.push({ obj: JSON.parse(buf.toString('utf8', s, e)), record }),
    object: (obj, record) => out.push({ obj: obj as Json, record }),
    error: (m, r) => assert.fail(`${path}:${r}: ${m}`),
  });
  return out;
}

function text(ev: FlatEvent, field: string): unknown {
  const v = ev.get(field.toLowerCase());
  return Array.isArray(v) ? v.map(String) : v === undefined || v === null ? v : String(v);
}

const LAUREL = corpus('auditd/threathunters-io-laurel/src/testdata');
const CAPTURE = join(REPO_ROOT, 'test', 'fixtures', 'auditd', 't1049-capture.log');
const tmp = mkdtempSync(join(tmpdir(), 'vigil-auditd-norm-'));

describe('raw auditd and LAUREL JSON of the same input normalize alike', () => {
  const pairs = filesUnder(LAUREL, '.json').filter((j) => existsSync(j.replace(/\.json$/, '.txt')));
  const FIELDS = ['Image', 'CommandLine', 'CurrentDirectory', 'ProcessId', 'ParentProcessId', 'User', 'LogonId', 'TerminalSessionId',
    'type', 'name', 'exe', 'comm', 'key', 'syscall', 'host.name', '@timestamp', 'proctitle', 'cwd', 'a0', 'a1', 'a2', 'a3', 'a4'];

  it('every field rules read, and the logsource, for every event in both', async () => {
    assert.ok(pairs.length >= 12, `pairs: ${pairs.length}`);
    let compared = 0;
    for (const json of pairs) {
      const laurel = new Map((await readObjects(json)).map(({ obj }) => [obj.ID, normalizeObject(obj)]));
      const raw = new Map((await readObjects(json.replace(/\.json$/, '.txt'))).map(({ obj }) => [obj.ID, normalizeObject(obj)]));
      for (const [id, l] of laurel) {
        const r = raw.get(id);
        assert.ok(r, `${basename(json)}: event ${id} missing from the raw reading`);
        assert.deepEqual(r.logsource, l.logsource, `${basename(json)} ${id}`);
        for (const f of FIELDS) {
          let want = text(l, f);
          // Without EXECVE, a0…a3 are the SYSCALL registers: LAUREL writes them 0x-prefixed, as it found them.
          if (/^a\d$/.test(f) && text(l, 'argc') === undefined && typeof want === 'string') want = want.replace(/^0x/, '');
          // From a RAW log LAUREL has only the number; Vigil's reader adds the name as ENRICHED would.
          // (record-bind is ppc64, for which Vigil has no syscall table: the number alone on both sides.)
          const rawSyscall = r.get('syscall');
          if (f === 'syscall' && typeof want === 'string' && Array.isArray(rawSyscall)) want = [want, String(rawSyscall[1])];
          assert.deepEqual(text(r, f), want, `${basename(json)} ${id} ${f}`);
        }
        compared++;
      }
    }
    assert.ok(compared >= 15, `compared ${compared}`);
  });

  it('the argv and cwd of the perl reverse shell agree between the raw hex and LAUREL', async () => {
    const [laurel] = await readObjects(join(LAUREL, 'record-perl-reverse-shell.json'));
    const [raw] = await readObjects(join(LAUREL, 'record-perl-reverse-shell.txt'));
    assert.deepEqual(raw.obj.EXECVE.ARGV, laurel.obj.EXECVE.ARGV);
    assert.equal(raw.obj.CWD.cwd, laurel.obj.CWD.cwd);
    assert.equal(raw.obj.SYSCALL.exe, laurel.obj.SYSCALL.exe);
  });
});

describe('auditd alert host', () => {
  it("is node= only: a login record's hostname= is the remote peer (audit-ubuntu16.log, sshd from 72.83.230.100)", async () => {
    const all = await readObjects(corpus('auditd/elastic-go-libaudit/auparse/testdata/audit-ubuntu16.log'));
    const login = all.find(({ obj }) => obj.ID === '1492810797.778:12651');
    assert.ok(login, 'the USER_LOGIN event of serial 12651');
    const ev = normalizeObject(login.obj);
    assert.equal(text(ev, 'hostname'), '72.83.230.100'); // the field stays for rules
    assert.equal(eventHost(ev), undefined); // no node= in this log: the host is unknown, not the peer
    const [{ obj }] = await readObjects(join(LAUREL, 'record-execve.txt'));
    assert.equal(eventHost(normalizeObject(obj)), 'work'); // node=work
  });
});

describe('auditd logsource and process fields', () => {
  it('an ENRICHED execve: process_creation with Sysmon-for-Linux names (record-execve.txt)', async () => {
    const [{ obj }] = await readObjects(join(LAUREL, 'record-execve.txt'));
    const ev = normalizeObject(obj);
    assert.deepEqual(ev.logsource, { product: 'linux', service: 'auditd', categories: ['process_creation'] });
    assert.equal(text(ev, 'Image'), '/usr/bin/whoami');
    assert.equal(text(ev, 'CommandLine'), 'whoami');
    assert.equal(text(ev, 'ProcessId'), '10884');
    assert.equal(text(ev, 'ParentProcessId'), '10883');
    assert.equal(text(ev, 'User'), 'root'); // UID="root"
    assert.equal(text(ev, 'LogonId'), '0'); // uid=0
    assert.equal(text(ev, 'TerminalSessionId'), '1'); // ses=1
    assert.equal(text(ev, 'CurrentDirectory'), '/home/user/tmp');
    assert.equal(text(ev, 'host.name'), 'work');
    assert.equal(text(ev, '@timestamp'), '2021-03-07T10:50:32.375Z'); // 1615114232.375
    assert.deepEqual(text(ev, 'type'), ['SYSCALL', 'EXECVE', 'CWD', 'PATH', 'PROCTITLE']);
    assert.deepEqual(text(ev, 'syscall'), ['59', 'execve']);
    assert.deepEqual(text(ev, 'name'), ['/usr/bin/whoami', '/lib64/ld-linux-x86-64.so.2']);
    assert.equal(text(ev, 'a0'), 'whoami');
    assert.equal(text(ev, 'a1'), undefined, 'SYSCALL registers do not stand in for argv');
  });

  it('a RAW execve, its LAUREL JSON without SYSCALL names, and aarch64 221 are process_creation', async () => {
    for (const f of ['record-weblogic.txt', 'record-weblogic.json']) {
      const [{ obj }] = await readObjects(join(LAUREL, f));
      const ev = normalizeObject(obj);
      assert.deepEqual(ev.logsource.categories, ['process_creation'], f);
      assert.equal(text(ev, 'User'), '1000', f); // no ENRICHED name: the uid
      assert.equal(text(ev, 'TerminalSessionId'), undefined, `${f}: ses=4294967295 is unset`);
      assert.match(String(text(ev, 'CommandLine')), /^\/usr\/java\/jdk1\.8\.0_151\/bin\/java -server .* weblogic\.Server$/, f);
    }
    const arm = (await readObjects(join(LAUREL, 'fork-sleep-exec.txt'))).map(({ obj }) => normalizeObject(obj));
    const exec = arm.find((e) => text(e, 'Image') === '/home/user/bin/uncaring-parent')!;
    assert.deepEqual(exec.logsource.categories, ['process_creation']);
  });

  it('i386 execve (11) on a 64-bit kernel is process_creation (constructed: no i386 log in the corpus)', () => {
    // Constructed per the audit record format: arch=40000003 is AUDIT_ARCH_I386.
    const ev = normalizeObject({ ID: '1700000000.000:1', SYSCALL: { arch: '40000003', syscall: '11', success: 'yes', exe: '/usr/bin/netstat' }, EXECVE: { argc: '1', ARGV: ['netstat'] } });
    assert.deepEqual(ev.logsource.categories, ['process_creation']);
    const execveat = normalizeObject({ ID: '1700000000.000:2', SYSCALL: { arch: '40000003', syscall: '358', success: 'yes' } });
    assert.deepEqual(execveat.logsource.categories, ['process_creation']);
  });

  it('a failed execve, a connect and a user-space record are auditd events without a category', async () => {
    const capture = (await readObjects(CAPTURE)).map(({ obj }) => obj);
    const failed = capture.find((o) => o.SYSCALL?.SYSCALL === 'execve' && o.SYSCALL.success === 'no')!;
    assert.ok(failed, 'the capture has failed execve attempts (PATH lookups)');
    assert.deepEqual(normalizeObject(failed).logsource, { product: 'linux', service: 'auditd', categories: [] });
    const [{ obj: connect }] = await readObjects(join(LAUREL, 'record-connect.txt'));
    assert.deepEqual(normalizeObject(connect).logsource.categories, []);
    const [{ obj: acct }] = await readObjects(join(LAUREL, 'line-user-acct.txt'));
    const ev = normalizeObject(acct);
    assert.deepEqual(ev.logsource, { product: 'linux', service: 'auditd', categories: [] });
    assert.equal(text(ev, 'exe'), '/usr/bin/sudo'); // from msg='… exe="/usr/bin/sudo" …'
    assert.equal(text(ev, 'acct'), 'user');
  });

  it('an openat from the capture: the acting process, its PATH name, key and cwd', async () => {
    const capture = (await readObjects(CAPTURE)).map(({ obj }) => normalizeObject(obj));
    const py = capture.find((e) => text(e, 'key') === 'vigil_t1049_procnet' && text(e, 'comm') === 'python3')!;
    assert.equal(text(py, 'Image'), '/usr/bin/python3.11');
    assert.equal(text(py, 'name'), '/proc/net/tcp');
    assert.deepEqual(text(py, 'syscall'), ['257', 'openat']);
    assert.deepEqual(text(py, 'type'), ['SYSCALL', 'CWD', 'PATH', 'PROCTITLE']);
    assert.match(String(text(py, 'CommandLine')), /^\/usr\/bin\/python3 -c import sys; print\(len\(open\('\/proc\/net\/tcp'\)/);
    assert.equal(text(py, 'a0'), 'ffffff9c', 'without EXECVE, a0 is the SYSCALL register (AT_FDCWD)');
  });
});

function loadRules(paths: string[]): SigmaDocument[] {
  return findRuleFiles(paths).flatMap((f) => {
    const loaded = loadSigmaFile(f);
    assert.deepEqual(loaded.errors.map(String), [], f);
    return loaded.documents;
  });
}

async function alerts(detector: Detector, files: string[], prefilter = true): Promise<string[]> {
  const keys: string[] = [];
  const hunt = new Hunt(detector, { onAlert: (a) => keys.push(`${a.rule.id} ${basename(a.source.file)}:${a.source.record}`), onError: () => {} }, prefilter);
  for (const f of files) await hunt.runFile(f, statSync(f).size);
  return keys.sort();
}

describe('SigmaHQ Linux rules on the corpus audit logs', () => {
  it('all load; the only alerts are where the logged command is what the rule names', async () => {
    const linux = corpus('sigma-rules/rules/linux');
    const docs = loadRules([linux]);
    assert.equal(docs.filter((d) => d.type === 'rule' && d.logsource.service === 'auditd').length, 53);
    const detector = new Detector(docs, { derived: derivedPolicyFor });
    assert.deepEqual(detector.errors.map(String), []);
    const files = [...filesUnder(corpus('auditd'), '.log'), ...filesUnder(corpus('auditd'), '.txt')];
    const got = await alerts(detector, files);
    assert.deepEqual(got, [
      // lnx_auditd_create_account: type ADD_USER (rhel7 line 2 is an ADD_USER record)
      '759d0d51-bc99-4b5e-9add-8f5b2c8e7512 audit-rhel7.log:2',
      // lnx_auditd_keylogging_with_pam_d: TTY / USER_TTY records (rhel7 lines 43–45)
      '49aae26c-450e-448b-911d-b3c13d178dfc audit-rhel7.log:43',
      '49aae26c-450e-448b-911d-b3c13d178dfc audit-rhel7.log:44',
      '49aae26c-450e-448b-911d-b3c13d178dfc audit-rhel7.log:45',
      // lnx_auditd_binary_padding and proc_creation_lnx_dd_file_overwrite: `dd if=/dev/zero bs=1 count=1`
      // (the OTRF T1027.001 binary-padding dataset)
      'c52a914f-3d8b-4b2a-bb75-b3991e75f8ba sh_binary_padding_dd_2020-11-10081941.log:1',
      '37222991-11e9-4b6d-8bdf-60fbe48f753e sh_binary_padding_dd_2020-11-10081941.log:1',
      // proc_creation_lnx_remote_system_discovery: `arp -a` (T1018 per SigmaHQ, not T1049)
      '11063ec2-de63-4153-935e-b1a8b9e616f1 sh_arp_cache_2020-11-10074812.log:1',
      // lnx_shell_susp_commands keyword 'nc -l -p *': proctitle "nc -l -p 55555"
      '2aa1440c-9ae9-4d92-84a7-a9e5f5e31695 record-bind-ipv4-bigendian.txt:1',
      // proc_creation_lnx_whoami / susp reverse shell / perl reverse shell
      '9a0d8ca0-2385-4020-b6c6-cb6153ca56f3 record-execve.txt:1',
      '738d9bcf-6999-4fdb-b4ac-3033037db8ab record-perl-reverse-shell.txt:1',
      '259df6bc-003f-4306-9f54-4ff1a08fa38e record-perl-reverse-shell.txt:1',
      // shell-proc-trace-confusion: `rm -f …` (line 21), `hostname` (138), `id` (171)
      '30aed7b6-d2c1-4eaf-9382-b6bc43e50c57 shell-proc-trace-confusion.txt:21',
      '9a0d8ca0-2385-4020-b6c6-cb6153ca56f3 shell-proc-trace-confusion.txt:138',
      'f34047d9-20d3-4e8b-8672-0a35cc50dc71 shell-proc-trace-confusion.txt:138',
      '42df45e7-e6e9-43b5-8f26-bec5b39cc239 shell-proc-trace-confusion.txt:138',
      '9a0d8ca0-2385-4020-b6c6-cb6153ca56f3 shell-proc-trace-confusion.txt:171',
      'b45e3d6f-42c6-47d8-a478-df6bd6cf534c shell-proc-trace-confusion.txt:171',
    ].sort());
  });
});

describe('the raw-line prefilter on auditd JSON lines', () => {
  it('LAUREL JSON and the capture as JSON lines: same alerts with and without the prefilter', async () => {
    // The capture's assembled events, one JSON line each: a JSON-lines auditd source.
    const lines = (await readObjects(CAPTURE)).map(({ obj }) => JSON.stringify(obj));
    const jsonl = join(tmp, 'capture.jsonl');
    writeFileSync(jsonl, lines.join('\n') + '\n');
    const files = [...filesUnder(LAUREL, '.json'), jsonl];
    // Keyword rules are left out: a keyword item takes needles whatever the derived
    // fields, so a keyword can match a composed value the raw line lacks (SigmaHQ's
    // 'nc -l -p *' matches the joined proctitle of LAUREL's record-bind, whose raw
    // text has ["nc","-l","-p","55555"]). That is the needle derivation's limit for
    // every product, not auditd's; field items are sound, as tested here.
    const fieldRules = (d: SigmaDocument): boolean => d.type !== 'rule' || ![...d.detections.values()].some((x) => x.kind === 'keywords');
    for (const rules of [[join(REPO_ROOT, 'rules', 't1049')], [join(REPO_ROOT, 'rules', 't1049'), corpus('sigma-rules/rules/linux')]]) {
      const detector = new Detector(loadRules(rules).filter(fieldRules), { derived: derivedPolicyFor });
      const fast = await alerts(detector, files, true);
      const slow = await alerts(detector, files, false);
      assert.ok(slow.filter((k) => k.includes('capture.jsonl')).length >= 15, `T1049 alerts on the capture: ${slow.length}`);
      assert.deepEqual(fast, slow);
    }
  });

  it('the capture as JSON lines raises the same alerts as the raw log', async () => {
    const rules = loadRules([join(REPO_ROOT, 'rules', 't1049')]);
    const raw: string[] = [];
    const fromJson: string[] = [];
    const pid = (e: unknown): string => String((e as Json).SYSCALL?.pid);
    const run = async (file: string, into: string[]): Promise<void> => {
      const hunt = new Hunt(new Detector(rules, { derived: derivedPolicyFor }), { onAlert: (a) => into.push(`${a.rule.id} ${pid(a.event)}`), onError: (f, m) => assert.fail(m) });
      await hunt.runFile(file, statSync(file).size);
    };
    await run(CAPTURE, raw);
    await run(join(tmp, 'capture.jsonl'), fromJson);
    assert.ok(raw.length >= 15);
    assert.deepEqual(fromJson.sort(), raw.sort());
  });
});


