/**
 * Parallel EVTX hunting (worker threads, files split into chunk ranges) must
 * give exactly what one thread gives: the same alerts in the same order, the
 * same errors, the same event counts, the same correlation alerts — over
 * every .evtx in the corpus, including the damaged ones.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import type { Alert } from '../src/core/alert.js';
import { CorrelationEngine } from '../src/correlate/engine.js';
import { loadRules } from '../src/cli/rule-loading.js';
import { Hunt } from '../src/pipeline/hunt.js';
import { runFiles } from '../src/pipeline/run-files.js';
import { chunkSlots } from '../src/sources/evtx/index.js';
import { corpus, filesUnder } from './corpus.js';

const RULES = [corpus('sigma-rules/rules/windows/process_creation'), corpus('sigma-rules/rules/windows/builtin/security')];
const FILES = filesUnder(corpus('evtx'), '.evtx').map((path) => ({ path, size: statSync(path).size, explicit: true }));

interface Outcome { alerts: string[]; errors: string[]; events: number; files: number; ranges: number; redone: number }

async function hunt(threads: number, rangeChunks: number): Promise<Outcome> {
  const { detector, documents } = loadRules(RULES, true, new Map());
  const out: Outcome = { alerts: [], errors: [], events: 0, files: 0, ranges: 0, redone: 0 };
  let h: Hunt | undefined;
  const corr = new CorrelationEngine(detector.correlations, { onAlert: (a) => h?.emitCorrelation(a) });
  h = new Hunt(detector, {
    onAlert: (a: Alert) => void out.alerts.push(JSON.stringify(a)),
    onError: (file, message, record) => void out.errors.push(`${file}:${record ?? ''}: ${message}`),
  }, true, corr);
  const report = await runFiles(h, FILES, {
    threads, rangeChunks, minParallelBytes: 0, minParallelFileBytes: 0,
    rules: { documents, placeholders: [] },
    expectedRules: detector.rules.length,
  });
  h.finish();
  out.ranges = report.ranges;
  out.redone = report.redone;
  out.events = h.stats.events;
  out.files = h.stats.files;
  return out;
}

describe('parallel EVTX decoding', () => {
  it('splits files into several ranges (so the test exercises splitting)', () => {
    const split = FILES.filter((f) => chunkSlots(f.size) > 2);
    assert.ok(split.length >= 10, `only ${split.length} corpus files have more than 2 chunks`);
  });

  it('gives exactly the single-thread result with 3 workers and 2-chunk ranges', async () => {
    const one = await hunt(1, 1);
    const many = await hunt(3, 2);
    assert.ok(one.alerts.length > 100, `only ${one.alerts.length} alerts: the comparison would prove little`);
    assert.ok(one.errors.length > 0, 'the damaged corpus files report errors');
    assert.equal(one.ranges, 0);
    assert.ok(many.ranges > FILES.length, `${many.ranges} ranges for ${FILES.length} files: no file was split`);
    // One corpus file has a damaged chunk whose records borrow a template from another range.
    assert.ok(many.redone >= 1, 'no file went through the whole-file fallback');
    assert.equal(many.files, one.files);
    assert.equal(many.events, one.events);
    assert.deepEqual(many.errors, one.errors);
    assert.deepEqual(many.alerts, one.alerts);
  });
});
