/**
 * logsourceHint lets the hunt skip building events no rule could apply to, so
 * it must never be narrower than the logsource normalization then sets: same
 * product and service, and every category the event gets among the hint's.
 * Checked on every record of every corpus .evtx.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { logsourceHint, normalizeObject } from '../src/normalize/index.js';
import { readEvtxFile } from '../src/sources/evtx/index.js';
import { corpus, filesUnder } from './corpus.js';

it('the logsource hint of every corpus EVTX record covers its normalized logsource', async () => {
  let checked = 0;
  let narrowed = 0;
  const problems: string[] = [];
  for (const file of filesUnder(corpus('evtx'), '.evtx')) {
    await readEvtxFile(file, {
      record: (event, id) => {
        const hint = logsourceHint(event);
        const ls = normalizeObject(event).logsource;
        assert.ok(hint, `${file} record ${id}: no hint for an EVTX record`);
        checked++;
        if (hint.categories.length > ls.categories.length) narrowed++;
        if (hint.product !== ls.product || hint.service !== ls.service || ls.categories.some((c) => !hint.categories.includes(c))) {
          problems.push(`${file} record ${id}: hint ${JSON.stringify(hint)} vs ${JSON.stringify(ls)}`);
        }
      },
      error: () => undefined,
    });
  }
  assert.deepEqual(problems.slice(0, 5), []);
  assert.ok(checked > 20000, `only ${checked} records checked`);
  // Sysmon 12 events carry their EventType: there the hint is wider than the result.
  assert.ok(narrowed > 0);
});
