/**
 * `vigil lint` must accept and reject exactly the files the reference
 * implementation (pySigma 1.5.0) does, over the whole SigmaHQ snapshot.
 *
 * The one difference the issue allows (files in the retired `| count() by`
 * syntax, were Vigil to read them as correlations) does not arise: Vigil
 * rejects that syntax too, so full agreement is expected.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { lintFiles, type LintResult } from '../src/lint/lint-file.js';
import { corpus } from './corpus.js';

interface Verdict {
  status: 'OK' | 'FAIL';
  path: string;
  nRules: number;
  stage: string;
  message: string;
}

const RULES_ROOT = corpus('sigma-rules');
const verdicts: Verdict[] = readFileSync(corpus('oracle/pysigma-verdicts.tsv'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((line) => {
    const [status, path, n, stage = '', message = ''] = line.split('\t');
    assert.ok(status === 'OK' || status === 'FAIL', `unexpected status in oracle line: ${line}`);
    return { status, path, nRules: Number(n), stage, message };
  });

// One lint over the whole set, as pySigma loaded it (one collection), shared by the tests below.
let cached: LintResult[] | undefined;
function results(): LintResult[] {
  cached ??= lintFiles(verdicts.map((v) => join(RULES_ROOT, v.path)));
  return cached;
}

test('the oracle covers the snapshot as documented', () => {
  assert.equal(verdicts.length, 4039);
  assert.equal(verdicts.filter((v) => v.status === 'OK').length, 3980);
  assert.equal(verdicts.filter((v) => v.status === 'FAIL').length, 59);
});

test('lint accepts exactly the files pySigma accepts', () => {
  const all = results();
  assert.equal(all.length, verdicts.length);
  const disagreements: string[] = [];
  verdicts.forEach((v, i) => {
    const r = all[i];
    assert.equal(r.path, join(RULES_ROOT, v.path));
    const vigil = r.ok ? 'OK' : 'FAIL';
    if (vigil !== v.status) {
      disagreements.push(`${v.path}: pySigma ${v.status}${v.message ? ` (${v.message})` : ''}, vigil ${vigil}: ${r.errors.join(' | ')}`);
    }
  });
  assert.deepEqual(disagreements, []);
  assert.equal(all.filter((r) => r.ok).length, 3980);
});

test('for accepted files, Vigil reports as many rules as pySigma (N_RULES)', () => {
  const all = results();
  const wrong: string[] = [];
  verdicts.forEach((v, i) => {
    if (v.status !== 'OK') return;
    if (all[i].rules.length !== v.nRules) wrong.push(`${v.path}: pySigma ${v.nRules}, vigil ${all[i].rules.length}`);
  });
  assert.deepEqual(wrong, []);
  // The two multi-document files really are counted per document.
  const multi = verdicts.filter((v) => v.nRules > 1).map((v) => v.path);
  assert.deepEqual(multi.sort(), ['unsupported/windows/sysmon_process_reimaging.yml', 'unsupported/windows/win_remote_service.yml']);
});

test('accepted files have no errors; rejected ones say where and why', () => {
  const all = results();
  verdicts.forEach((v, i) => {
    const r = all[i];
    if (v.status === 'OK') {
      assert.deepEqual(r.errors, [], v.path);
      return;
    }
    assert.ok(r.errors.length > 0, v.path);
    for (const e of r.errors) {
      assert.ok(e.startsWith(r.path + ': '), `error does not name the file: ${e}`);
      assert.match(e, /rule '[^']+'/, `error does not name the rule: ${e}`);
    }
    // Every rejection in the snapshot is pySigma's condition stage; Vigil says it is the condition.
    assert.equal(v.stage, 'condition');
    assert.ok(r.errors.some((e) => /condition/i.test(e)), `${v.path}: ${r.errors.join(' | ')}`);
  });
});

test('lint never errors on warnings alone: every warning or note names file and rule', () => {
  for (const r of results()) {
    for (const m of [...r.warnings, ...r.notes]) {
      assert.ok(m.startsWith(r.path + ': '), m);
    }
  }
});
