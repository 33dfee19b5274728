/**
 * Damaged audit input: every problem is an error naming its line, reading
 * goes on, nothing already read is lost, and memory stays bounded however
 * long an event or a line runs. The damaged lines are real OTRF lines
 * (sh_arp_cache) cut or altered by hand; the comments say how.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { AuditdStream, MAX_AUDIT_LINE } from '../src/sources/auditd/stream.js';
import type { AssemblerLimits } from '../src/sources/auditd/assembler.js';
import { corpus } from './corpus.js';

type Json = Record<string, any>;
interface Out { events: Json[]; lines: number[]; errors: { message: string; line?: number }[] }

const ARP = readFileSync(corpus('auditd/OTRF-Security-Datasets/datasets/atomic/linux/discovery/host/sh_arp_cache_2020-11-10074812.log'), 'utf8')
  .split('\n')
  .filter(Boolean);
const [SYSCALL, EXECVE, CWD, PATH0, , PROCTITLE] = ARP; // the `arp -a` event, lines 1–6
const GREP_EVENT = ARP.slice(6); // the `grep -v ^?` event, lines 7–12

function run(lines: string[], limits: Partial<AssemblerLimits> = {}): Out & { stream: AuditdStream } {
  const out: Out = { events: [], lines: [], errors: [] };
  const stream = new AuditdStream(
    {
      event: (o, l) => {
        out.events.push(o);
        out.lines.push(l);
      },
      error: (message, line) => out.errors.push({ message, line }),
    },
    limits,
  );
  stream.write(Buffer.from(lines.join('\n') + '\n'));
  stream.end();
  return { ...out, stream };
}

describe('auditd reader on damaged input', () => {
  it('a record cut inside a quoted value: error on its line, the rest of the event kept', () => {
    const cut = SYSCALL.slice(0, SYSCALL.indexOf('comm="arp"') + 'comm="ar'.length); // ends in comm="ar
    const r = run([cut, EXECVE, ...GREP_EVENT]);
    assert.deepEqual(r.errors, [{ message: 'unterminated quote in the value of comm', line: 1 }]);
    assert.equal(r.events[0].SYSCALL.comm, 'ar');
    assert.equal(r.events[0].SYSCALL.pid, '1631');
    assert.deepEqual(r.events[0].EXECVE.ARGV, ['arp', '-a']);
    assert.deepEqual(r.events[1].EXECVE.ARGV, ['grep', '-v', '^?']);
    assert.deepEqual(r.lines, [1, 3]);
  });

  it('a line cut inside its header, a line without msg=, and binary garbage: each an error with its line', () => {
    const r = run([
      SYSCALL.slice(0, 30), // type=SYSCALL msg=audit(1604994
      'type=EXECVE argc=2 a0="arp" a1="-a"', // no msg=audit(…):
      '\x00\x01\xff\xfe\x1d\x1b[31m binary \x7f garbage',
      ...GREP_EVENT,
    ]);
    assert.deepEqual(
      r.errors.map((e) => e.line),
      [1, 2, 3],
    );
    for (const e of r.errors) assert.match(e.message, /not an audit record/);
    assert.equal(r.events.length, 1);
    assert.deepEqual(r.events[0].EXECVE.ARGV, ['grep', '-v', '^?']);
    assert.equal(r.lines[0], 4);
  });

  it('bad and odd-length hex: an error naming the field, the raw text kept', () => {
    const r = run([
      SYSCALL,
      EXECVE.replace('a1="-a"', 'a1=ZZ2D61'), // not hex
      CWD,
      PROCTITLE.replace('617270002D61', '617270002D6'), // one digit short
    ]);
    assert.deepEqual(r.errors, [
      { message: 'EXECVE record: not hex in the value of a1', line: 2 },
      { message: 'PROCTITLE record: odd-length hex in the value of proctitle', line: 4 },
    ]);
    assert.deepEqual(r.events[0].EXECVE.ARGV, ['arp', 'ZZ2D61']);
    assert.deepEqual(r.events[0].PROCTITLE.ARGV, ['617270002D6']);
  });

  it('a split argument whose second piece was lost: joined from what is there, with an error', () => {
    // a1 "-a" as a split argument: a1_len counts hex characters (2D61 = 4) but only a1[0] arrives.
    const split = EXECVE.replace('a1="-a"', 'a1_len=4 a1[0]=2D');
    const r = run([SYSCALL, split]);
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0].message, /a1_len=4 but its pieces hold 2 hex characters/);
    assert.equal(r.errors[0].line, 2);
    assert.deepEqual(r.events[0].EXECVE.ARGV, ['arp', '-']);
  });

  it('CRLF line ends and blank or # lines are read as plain lines', () => {
    const r = run(['# annotated', '', ...ARP.slice(0, 6).map((l) => l + '\r')]);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.events[0].CWD, { cwd: '/home/wardog' });
    assert.equal(r.lines[0], 3);
  });
});

describe('auditd reader memory bounds', () => {
  it('a never-ending event (20,000 records, one serial) is cut at maxRecords, once, and still emitted', () => {
    const lines = [SYSCALL];
    for (let i = 0; i < 20_000; i++) lines.push(PATH0.replace('item=0', `item=${i}`));
    let maxOpen = 0;
    const out: Json[] = [];
    const errors: { message: string; line?: number }[] = [];
    const s = new AuditdStream({ event: (o) => out.push(o), error: (message, line) => errors.push({ message, line }) });
    for (const l of lines) {
      s.write(Buffer.from(l + '\n'));
      maxOpen = Math.max(maxOpen, s.openEvents);
    }
    s.end();
    assert.equal(maxOpen, 1);
    assert.equal(errors.length, 1);
    assert.match(errors[0].message, /more than 2048 records/);
    assert.equal(errors[0].line, 2049);
    assert.equal(out.length, 1);
    assert.equal(out[0].PATH.length, 2047);
  });

  it('events that never complete: no more than maxOpen are held, every one is emitted', () => {
    const s = new AuditdStream({ event: () => emitted++, error: (m) => assert.fail(m) });
    let emitted = 0;
    let maxOpen = 0;
    // 5,000 events in the same second, none with EOE: only the open-events cap can let them go.
    for (let i = 0; i < 5000; i++) {
      s.write(Buffer.from(SYSCALL.replace(':92733)', `:${100000 + i})`) + '\n'));
      maxOpen = Math.max(maxOpen, s.openEvents);
    }
    assert.equal(maxOpen, 512); // DEFAULT_LIMITS.maxOpen, enforced after each record
    s.end();
    assert.equal(emitted, 5000);
    assert.equal(s.openEvents, 0);
  });

  it('the character budget lets events go early when they are large', () => {
    const out = run([...ARP, ...ARP.map((l) => l.replace(/:9273(\d)\)/, ':9283$1)'))], { maxBufferedChars: 1000 });
    assert.deepEqual(out.errors, []);
    assert.equal(out.events.length, 4);
  });

  it('a line longer than the limit is skipped with an error, without being held whole; the next line is read', () => {
    const huge = 'type=EXECVE msg=audit(1604994496.155:92733): a0=' + '41'.repeat(MAX_AUDIT_LINE);
    const out: Json[] = [];
    const errors: { message: string; line?: number }[] = [];
    const s = new AuditdStream({ event: (o) => out.push(o), error: (message, line) => errors.push({ message, line }) });
    s.write(Buffer.from(SYSCALL + '\n'));
    for (let i = 0; i < huge.length; i += 65536) s.write(Buffer.from(huge.slice(i, i + 65536)));
    s.write(Buffer.from('\n' + ARP.slice(1, 6).join('\n') + '\n'));
    s.end();
    assert.deepEqual(errors, [{ message: `line 2 is longer than ${MAX_AUDIT_LINE} bytes; skipped`, line: 2 }]);
    assert.deepEqual(out[0].EXECVE.ARGV, ['arp', '-a']);
  });

  it('flushIdle emits what has waited long enough for a live tail', () => {
    const out: Json[] = [];
    const s = new AuditdStream({ event: (o) => out.push(o), error: (m) => assert.fail(m) });
    ARP.slice(0, 6).forEach((l, i) => s.line(l, i + 1, 1_000));
    s.flushIdle(2_000, 2_500);
    assert.equal(out.length, 0);
    s.flushIdle(2_000, 3_000);
    assert.equal(out.length, 1);
    assert.deepEqual(out[0].EXECVE.ARGV, ['arp', '-a']);
  });
});
