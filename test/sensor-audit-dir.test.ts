/**
 * `--audit-dir`: root writes the private auditd's configuration, output and
 * log there, so a folder others can write to (or a link planted in it) is
 * refused before anything is written or started.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPrivateAuditd } from '../src/sensor/auditd.js';

describe('the private auditd folder', () => {
  it('refuses a folder others can write to', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-auditdir-'));
    chmodSync(dir, 0o777);
    await assert.rejects(startPrivateAuditd(dir), /must belong to root and be writable by root only/);
    assert.equal(existsSync(join(dir, 'auditd.conf')), false, 'nothing written');
  });

  it('refuses to write through a link left in the folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-auditdir-'));
    const victim = join(mkdtempSync(join(tmpdir(), 'vigil-victim-')), 'file');
    writeFileSync(victim, 'untouched');
    symlinkSync(victim, join(dir, 'auditd.out'));
    if (process.getuid?.() === 0) {
      await assert.rejects(startPrivateAuditd(dir), /auditd\.out is a symbolic link/);
    } else {
      await assert.rejects(startPrivateAuditd(dir), /must belong to root/);
    }
    assert.equal(readFileSync(victim, 'utf8'), 'untouched');
  });
});
