/**
 * rawIsWindows lets the prefilter drop a line unparsed, so it may only say
 * "Windows" where productOf(JSON.parse(line)) says so too. Checked on every
 * corpus line, on hand-built adversarial lines, and on mutated real lines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { productOf } from '../src/normalize/index.js';
import { rawIsWindows } from '../src/normalize/raw-product.js';
import { corpusJsonLines } from './corpus.js';
import { mutatedLines } from './json-mutations.js';


/** Every real line: OTRF JSON lines and the SigmaHQ regression events, one object per line. */

/** The property: a yes from the raw check is a yes from the parser (or the line does not parse at all). */
function checkLine(line: string): { raw: boolean; parsed: boolean | undefined } {
  const buf = Buffer.from(line, 'utf8');
  const raw = rawIsWindows(buf, 0, buf.length);
  let parsed: boolean | undefined;
  try {
    parsed = productOf(JSON.parse(line)) === 'windows';
  } catch {
    parsed = undefined; // not JSON: the hunt would report it and find nothing
  }
  if (raw && parsed === false) assert.fail(`raw check says Windows, productOf does not: ${line.slice(0, 300)}`);
  return { raw, parsed };
}

test('raw product check agrees with productOf on every corpus line, and recognizes nearly all Windows lines', () => {
  const lines = corpusJsonLines();
  assert.ok(lines.length > 3000, `corpus lines: ${lines.length}`);
  let windows = 0;
  let recognized = 0;
  for (const l of lines) {
    const { raw, parsed } = checkLine(l);
    if (parsed) windows++;
    if (parsed && raw) recognized++;
  }
  assert.ok(windows > 0);
  assert.ok(recognized / windows > 0.99, `recognized ${recognized} of ${windows} Windows lines`);
});

test('raw product check: adversarial lines', () => {
  const sure = [
    '{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational"}',
    '{"EventID":"4688","SourceName":"x"}',
    ' { "EventId" : 7 , "ProviderName" : "p" } ',
    '{"EventID":null,"EventId":"12","Provider_Name":"p"}',
    '{"Event":{"System":{}}}',
    '{"System":{"EventID":null}}',
    '{"winlog":{"channel":null}}',
    '{"Event":{"System":{"a":"}{\\"]["}},"x":[{"y":"\\\\"}]}',
  ];
  for (const l of sure) assert.equal(checkLine(l).raw, true, l);

  const notSure = [
    // the last duplicate wins in JSON.parse
    '{"EventID":1,"Channel":"c","EventID":"x"}',
    '{"Channel":"c","EventID":4688,"Channel":{"a":1}}',
    '{"Event":{"System":{}},"Event":1}',
    '{"Event":{"System":{},"System":[]}}',
    // escaped keys may decode to anything
    '{"Ev\\u0065ntID":"x","EventID":1,"Channel":"c"}',
    '{"EventID":1,"Ch\\u0061nnel":"c"}',
    // values that are not what they look like
    '{"EventID":"4688 ","Channel":"c"}',
    '{"EventID":"","Channel":"c"}',
    '{"EventID":"\\u0034","Channel":"c"}',
    '{"EventID":true,"Channel":"c"}',
    '{"EventID":1,"Channel":null}',
    '{"EventID":1,"Channel":5}',
    '{"EventID":null,"Channel":"c"}',
    '{"Event":{"System":null}}',
    '{"System":{"EventId":1}}',
    '{"winlog":{"Channel":"c"}}',
    '{"winlog":"channel"}',
    // a search hit: the event is _source
    '{"_index":"i","_source":{"x":1},"EventID":1,"Channel":"c"}',
    // not one object
    '[{"EventID":1,"Channel":"c"}]',
    '{"EventID":1,"Channel":"c"} {"x":1}',
    '{"EventID":1,"Channel":"c"',
    '{"EventID":1,"Channel":"c}',
    '{"EventID":1 "Channel":"c"}',
    '"EventID"',
    '',
    // keys hidden inside strings do not count
    '{"x":"\\"EventID\\":1,\\"Channel\\":\\"c\\""}',
    '{"x":{"EventID":1,"Channel":"c"}}',
  ];
  for (const l of notSure) {
    const { raw } = checkLine(l);
    assert.equal(raw, false, l);
  }
});

test('raw product check: mutated corpus lines never disagree with productOf', () => {
  const lines = corpusJsonLines().filter((_, i) => i % 7 === 0);
  const inserts = [',"EventID":"x"', ',"EventID":null', ',"Channel":null', ',"_source":{}', ',"_id":1', ',"Event":1',
    ',"System":{}', ',"winlog":{}', '"', '\\', '{', '}', '[', ']', ',', ':', '\\u0045', ' '];
  let checked = 0;
  for (const m of mutatedLines(lines, 12345, inserts, 8)) {
    checkLine(m);
    checked++;
  }
  assert.ok(checked > 1000);
});
