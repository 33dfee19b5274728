/**
 * Rules whose condition names other EventIDs than an event's own are left
 * out of its group before scanning and matching (engine.ts, event-ids.ts).
 * The prefilter soundness tests compare two hunts that both use the groups,
 * so this one checks the groups against brute force: every rule whose
 * logsource admits the event, evaluated on it, with no index at all — over
 * every corpus JSON line and EVTX record, with every SigmaHQ Windows rule.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Detector } from '../src/detect/engine.js';
import { logsourceAdmits } from '../src/detect/logsource-match.js';
import { derivedPolicyFor, impliedTexts, normalizeObject } from '../src/normalize/index.js';
import { findRuleFiles, loadSigmaFile } from '../src/sigma/load.js';
import { readEvtxFile } from '../src/sources/evtx/index.js';
import { corpus, filesUnder } from './corpus.js';

test('EventIDs no rule names share one subgroup: a log of ever-new EventIDs builds no new automata', () => {
  const docs = findRuleFiles([corpus('sigma-rules/rules/windows')]).flatMap((f) => loadSigmaFile(f).documents);
  const detector = new Detector(docs, { derived: derivedPolicyFor, implied: impliedTexts, lenientPlaceholders: true });
  const subgroupOf = (id: number): readonly unknown[] => {
    const ev = normalizeObject({ EventID: id, Channel: 'Security' });
    return detector['forLogsource'](ev);
  };
  const shared = subgroupOf(100000);
  for (let id = 100001; id < 100100; id++) assert.ok(subgroupOf(id) === shared, `EventID ${id}`);
  // A named EventID has its own, larger subgroup; the shared one holds only rules open to any EventID.
  const named = subgroupOf(4624);
  assert.ok(named !== shared && named.length > shared.length);
  for (const idx of shared as number[]) assert.equal(detector['eventIds'][idx], null);
});

test('grouping by EventID leaves out no rule that matches: every corpus event, every SigmaHQ Windows rule, against brute force', async () => {
  const docs = findRuleFiles([corpus('sigma-rules/rules/windows')]).flatMap((f) => loadSigmaFile(f).documents);
  const detector = new Detector(docs, { derived: derivedPolicyFor, implied: impliedTexts, lenientPlaceholders: true });
  const problems: string[] = [];
  let events = 0;
  let matches = 0;
  const check = (obj: unknown, where: string): void => {
    const ev = normalizeObject(obj);
    events++;
    const brute = detector.rules.filter((r) => logsourceAdmits(r.rule.logsource, ev.logsource) && r.match(ev)).map((r) => r.rule.meta.id ?? r.rule.meta.title);
    const indexed = detector.match(ev).map((r) => r.rule.meta.id ?? r.rule.meta.title);
    matches += brute.length;
    if (JSON.stringify(indexed.sort()) !== JSON.stringify(brute.sort())) problems.push(`${where}: ${JSON.stringify(indexed)} vs ${JSON.stringify(brute)}`);
  };
  for (const file of filesUnder(corpus('json'), '.json')) {
    readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
      if (!line.trim()) return;
      let obj: unknown;
      try {
        obj = JSON.parse(line);
      } catch {
        return; // not JSON lines: other tests read those files
      }
      check(obj, `${file}:${i + 1}`);
    });
  }
  for (const file of filesUnder(corpus('evtx'), '.evtx')) {
    await readEvtxFile(file, { record: (event, id) => check(event, `${file} record ${id}`), error: () => undefined });
  }
  assert.deepEqual(problems.slice(0, 5), []);
  assert.ok(events > 25000, `only ${events} events`);
  assert.ok(matches > 1000, `only ${matches} matches: the check would not see a dropped rule`);
});
