/**
 * FileFollower on plain files (no audit needed): growth, a rename followed
 * by a new file (nothing lost, old file read to its end first), copytruncate,
 * removal and reappearance, starting at the end, and a bounded read per poll.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileFollower } from '../src/sources/follow-file.js';

function follower(path: string, opts: { fromStart?: boolean; maxBytesPerPoll?: number } = {}) {
  const got: string[] = [];
  const switches: string[] = [];
  const errors: string[] = [];
  // A long poll interval: the test drives poll() itself.
  const f = new FileFollower(path, {
    data: (b) => got.push(b.toString('utf8')),
    switched: (why) => switches.push(why),
    error: (m) => errors.push(m),
  }, { pollMs: 60_000, ...opts });
  return { f, text: () => got.join(''), switches, errors };
}

const dir = mkdtempSync(join(tmpdir(), 'vigil-follow-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('starts at the end by default and hands on what is appended', () => {
  const p = join(dir, 'a.log');
  writeFileSync(p, 'old line\n');
  const w = follower(p);
  w.f.start();
  appendFileSync(p, 'new 1\n');
  w.f.poll();
  appendFileSync(p, 'new 2\n');
  w.f.stop();
  assert.equal(w.text(), 'new 1\nnew 2\n');
  assert.deepEqual(w.switches, []);
});

test('fromStart reads what the file already holds', () => {
  const p = join(dir, 'b.log');
  writeFileSync(p, 'line 1\n');
  const w = follower(p, { fromStart: true });
  w.f.start();
  w.f.stop();
  assert.equal(w.text(), 'line 1\n');
});

test('rename + new file: the old file is read to its end, then the new one from its start', () => {
  const p = join(dir, 'c.log');
  writeFileSync(p, '');
  const w = follower(p);
  w.f.start();
  appendFileSync(p, 'before\n');
  w.f.poll();
  appendFileSync(p, 'late in old\n'); // written after the last poll, before the rotation
  renameSync(p, `${p}.1`);
  w.f.poll(); // no file at the path yet: keeps the old one
  appendFileSync(`${p}.1`, 'still old\n');
  writeFileSync(p, 'first in new\n');
  w.f.poll();
  appendFileSync(p, 'second in new\n');
  w.f.stop();
  assert.equal(w.text(), 'before\nlate in old\nstill old\nfirst in new\nsecond in new\n');
  assert.deepEqual(w.switches, ['rotated']);
  assert.equal(w.f.stats.rotations, 1);
});

test('copytruncate: reading restarts at the file\'s start', () => {
  const p = join(dir, 'd.log');
  writeFileSync(p, '');
  const w = follower(p);
  w.f.start();
  appendFileSync(p, 'one two three four\n');
  w.f.poll();
  truncateSync(p, 0);
  appendFileSync(p, 'after\n'); // shorter than what was read: the truncation is visible
  w.f.poll();
  w.f.stop();
  assert.equal(w.text(), 'one two three four\nafter\n');
  assert.deepEqual(w.switches, ['truncated']);
  assert.equal(w.f.stats.truncations, 1);
});

test('a file that is removed and comes back (a restart recreating it) is followed from its start', () => {
  const p = join(dir, 'e.log');
  const w = follower(p);
  w.f.start(); // nothing there yet
  w.f.poll();
  writeFileSync(p, 'created\n');
  w.f.poll();
  unlinkSync(p);
  w.f.poll();
  writeFileSync(p, 'recreated\n');
  w.f.poll();
  w.f.stop();
  assert.equal(w.text(), 'created\nrecreated\n');
  assert.deepEqual(w.switches, ['appeared', 'rotated']);
  assert.deepEqual(w.errors, []);
});

test('a backlog is read in bounded pieces, one per poll, and none is lost', () => {
  const p = join(dir, 'f.log');
  writeFileSync(p, '');
  const w = follower(p, { maxBytesPerPoll: 1000 });
  w.f.start();
  const big = 'x'.repeat(99) + '\n';
  appendFileSync(p, big.repeat(25)); // 2,500 bytes
  w.f.poll();
  assert.equal(w.text().length, 1000);
  w.f.poll();
  w.f.poll();
  assert.equal(w.text(), big.repeat(25));
  w.f.stop();
});
