/**
 * The prefilter may only skip what cannot match. Over every JSON-lines
 * file in the corpus, every SigmaHQ Windows rule must raise exactly the same
 * alerts with the prefilter as without it (every line parsed, every rule run).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Detector } from '../src/detect/engine.js';
import { derivedPolicyFor, impliedTexts } from '../src/normalize/index.js';
import { Hunt } from '../src/pipeline/hunt.js';
import { findRuleFiles, loadSigmaFile } from '../src/sigma/load.js';
import type { SigmaDocument } from '../src/sigma/model.js';
import { corpus, filesUnder, winlogbeatLines } from './corpus.js';


async function alertKeys(detector: Detector, files: string[], prefilter: boolean): Promise<string[]> {
  const keys: string[] = [];
  const hunt = new Hunt(detector, { onAlert: (a) => keys.push(`${a.rule.id} ${a.source.file}:${a.source.record}`), onError: () => {} }, prefilter);
  for (const f of files) await hunt.runFile(f, statSync(f).size);
  return keys.sort();
}

function load(paths: string[]): SigmaDocument[] {
  return findRuleFiles(paths).flatMap((f) => loadSigmaFile(f).documents);
}

test('prefiltered hunt equals exhaustive hunt: all SigmaHQ Windows rules over the corpus JSON lines', async () => {
  const sigma = corpus('sigma-rules');
  const docs = load(['rules', 'rules-emerging-threats', 'rules-threat-hunting'].map((d) => join(sigma, d)))
    .filter((d) => d.type !== 'rule' || d.logsource.product === 'windows');
  const files = filesUnder(corpus('json'), '.json');
  const detector = new Detector(docs, { derived: derivedPolicyFor, implied: impliedTexts, lenientPlaceholders: true });
  const fast = await alertKeys(detector, files, true);
  const slow = await alertKeys(detector, files, false);
  assert.ok(slow.length > 50, `the corpus should raise plenty of alerts, got ${slow.length}`);
  assert.deepEqual(fast, slow);
});

test('prefiltered hunt equals exhaustive hunt: T1049 rules (small set: whole-chunk RE2 filter)', async () => {
  const sigma = corpus('sigma-rules');
  const docs = load(['rules', 'rules-emerging-threats', 'rules-threat-hunting'].map((d) => join(sigma, d)))
    .filter((d) => d.meta.tags.includes('attack.t1049'));
  const detector = new Detector(docs, { derived: derivedPolicyFor, implied: impliedTexts });
  assert.ok(detector.chunkFilter !== null, 'a small rule set uses the chunk filter');
  const files = filesUnder(corpus('json'), '.json');
  const fast = await alertKeys(detector, files, true);
  const slow = await alertKeys(detector, files, false);
  assert.ok(slow.length >= 2, 'SharpView (Sysmon 1 and 4688) must be found');
  assert.deepEqual(fast, slow);
});

test('prefiltered hunt equals exhaustive hunt: SigmaHQ regression events as JSON lines', async () => {
  const sigma = corpus('sigma-rules');
  const docs = load(['rules', 'rules-emerging-threats', 'rules-threat-hunting'].map((d) => join(sigma, d)))
    .filter((d) => d.type !== 'rule' || d.logsource.product === 'windows');
  // evtx_dump writes pretty objects back to back; re-emit them one per line.
  const lines: string[] = [];
  for (const f of filesUnder(join(sigma, 'regression_data'), '.json')) {
    const text = readFileSync(f, 'utf8');
    for (const part of text.split(/\n(?=\{)/)) lines.push(JSON.stringify(JSON.parse(part)));
  }
  const dir = mkdtempSync(join(tmpdir(), 'vigil-prefilter-'));
  const file = join(dir, 'regression.jsonl');
  writeFileSync(file, lines.join('\n') + '\n');
  const detector = new Detector(docs, { derived: derivedPolicyFor, implied: impliedTexts, lenientPlaceholders: true });
  const fast = await alertKeys(detector, [file], true);
  const slow = await alertKeys(detector, [file], false);
  rmSync(dir, { recursive: true });
  assert.ok(slow.length >= 200, `each regression sample matches its rule at least: got ${slow.length}`);
  assert.deepEqual(fast, slow);
});

test('prefiltered hunt equals exhaustive hunt: all SigmaHQ Windows rules over Winlogbeat-shaped corpus events', async () => {
  const sigma = corpus('sigma-rules');
  const docs = load(['rules', 'rules-emerging-threats', 'rules-threat-hunting'].map((d) => join(sigma, d)))
    .filter((d) => d.type !== 'rule' || d.logsource.product === 'windows');
  const dir = mkdtempSync(join(tmpdir(), 'vigil-prefilter-ecs-'));
  const file = join(dir, 'winlogbeat.jsonl');
  writeFileSync(file, winlogbeatLines().join('\n') + '\n');
  const detector = new Detector(docs, { derived: derivedPolicyFor, implied: impliedTexts, lenientPlaceholders: true });
  const fast = await alertKeys(detector, [file], true);
  const slow = await alertKeys(detector, [file], false);
  rmSync(dir, { recursive: true });
  assert.ok(slow.length > 50, `the events should raise plenty of alerts, got ${slow.length}`);
  assert.deepEqual(fast, slow);
});

test('prefiltered hunt equals exhaustive hunt: all SigmaHQ Windows rules over every corpus EVTX record', async () => {
  const sigma = corpus('sigma-rules');
  const docs = load(['rules', 'rules-emerging-threats', 'rules-threat-hunting'].map((d) => join(sigma, d)))
    .filter((d) => d.type !== 'rule' || d.logsource.product === 'windows');
  const files = filesUnder(corpus('evtx'), '.evtx');
  const detector = new Detector(docs, { derived: derivedPolicyFor, implied: impliedTexts, lenientPlaceholders: true });
  const fast = await alertKeys(detector, files, true);
  const slow = await alertKeys(detector, files, false);
  assert.ok(slow.length > 500, `the corpus EVTX should raise plenty of alerts, got ${slow.length}`);
  assert.deepEqual(fast, slow);
});

test('prefiltered hunt equals exhaustive hunt: T1049 rules over every corpus EVTX record', async () => {
  const sigma = corpus('sigma-rules');
  const docs = load(['rules', 'rules-emerging-threats', 'rules-threat-hunting'].map((d) => join(sigma, d)))
    .filter((d) => d.meta.tags.includes('attack.t1049'));
  const detector = new Detector(docs, { derived: derivedPolicyFor, implied: impliedTexts });
  const files = filesUnder(corpus('evtx'), '.evtx');
  const fast = await alertKeys(detector, files, true);
  const slow = await alertKeys(detector, files, false);
  assert.ok(slow.length >= 2, 'net use in Sysmon 1 and 4688 must be found');
  assert.deepEqual(fast, slow);
});
