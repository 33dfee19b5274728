/**
 * Sigma specification v2.1 conformance: conditions (operators, precedence,
 * `x of`, `them`, `_` identifiers, condition lists, retired pipe syntax),
 * Sigma filters, and multi-document YAML with action: global / repeat / reset.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldValue } from '../src/core/event.js';
import type { Detector } from '../src/detect/engine.js';
import { loadSigmaText } from '../src/sigma/load.js';
import { detector, event, matches, problems, ruleFactory } from './sigma-spec-helpers.js';

// ---------------------------------------------------------------- helpers

const TITLE = 'Spec conditions rule';
const rule = ruleFactory(TITLE, '5b0c1f2e-0000-4000-8000-000000000003');

/** Selections a, b, c test fields A, B, C for the value 1. */
function abc(condition: string): string {
  return `title: ${TITLE}\nlogsource:\n  category: test\ndetection:\n  a:\n    A: 1\n  b:\n    B: 1\n  c:\n    C: 1\n  condition: ${condition}\n`;
}

/** Titles of the rules in a multi-document text that match the event. */
function matchedTitles(det: Detector, fields: Record<string, FieldValue>): string[] {
  return det.match(event(fields)).map((r) => r.rule.meta.title).sort();
}

/** Truth table of a condition over a, b, c (A/B/C set to 1 when the letter is in `on`). */
function truth(condition: string, on: string): boolean {
  const fields: Record<string, FieldValue> = {};
  for (const ch of on) fields[ch.toUpperCase()] = 1;
  return matches(abc(condition), fields);
}

/** Asserts each row: [condition, letters set in the event, whether the condition holds]. */
function expectTruth(rows: [condition: string, on: string, expected: boolean][]): void {
  for (const [condition, on, expected] of rows) {
    assert.equal(truth(condition, on), expected, `'${condition}' with '${on}' set`);
  }
}

// ---------------------------------------------------------------- tests

describe('spec: condition operators and precedence', () => {
  it('and / or / not', () => {
    expectTruth([
      ['a and b', 'ab', true],
      ['a and b', 'a', false],
      ['a or b', 'b', true],
      ['a or b', 'c', false],
      ['not a', '', true],
      ['not a', 'a', false],
      ['not not a', 'a', true],
    ]);
  });

  it('a or b and c = a or (b and c)', () => {
    expectTruth([
      ['a or b and c', 'a', true], // (a or b) and c would be false
      ['a or b and c', 'b', false],
      ['a or b and c', 'bc', true],
      ['b and c or a', 'a', true],
    ]);
  });

  it('not a and b = (not a) and b', () => {
    expectTruth([
      ['not a and b', 'b', true],
      ['not a and b', 'ab', false],
      ['not a and b', '', false], // not (a and b) would be true
    ]);
  });

  it('not binds tighter than or', () => {
    expectTruth([
      ['not a or b', 'ab', true], // not (a or b) would be false
      ['not a or b', 'a', false],
    ]);
  });

  it('parentheses override precedence', () => {
    expectTruth([
      ['(a or b) and c', 'a', false],
      ['(a or b) and c', 'ac', true],
      ['not (a and b)', '', true],
      ['not (a and b)', 'ab', false],
      ['a and (b or (not c))', 'a', true],
      ['a and (b or (not c))', 'ac', false],
    ]);
  });

  it('long chains of the same operator', () => {
    expectTruth([
      ['a and b and c', 'abc', true],
      ['a and b and c', 'ab', false],
      ['a or b or c', 'c', true],
      ['a or b or c', '', false],
    ]);
  });

  it('malformed conditions are rejected', () => {
    for (const bad of ['a and', '(a or b', 'a b', 'and a', 'a or or b', '']) {
      assert.equal(problems(abc(bad === '' ? "''" : bad)).length, 1, `'${bad}'`);
    }
  });
});

describe('spec: 1 of / any of / all of', () => {
  const r = (condition: string): string =>
    `title: ${TITLE}\nlogsource:\n  category: test\ndetection:\n  selection_img:\n    Image|endswith: '\\net.exe'\n  selection_cli:\n    CommandLine|contains: ' view'\n  filter_admin:\n    User: admin\n  condition: ${condition}\n`;
  const net = { Image: 'C:\\Windows\\net.exe' };
  const both = { Image: 'C:\\Windows\\net.exe', CommandLine: 'net view' };

  it('1 of pattern: any matching identifier', () => {
    assert.equal(matches(r('1 of selection_*'), net), true);
    assert.equal(matches(r('1 of selection_*'), { CommandLine: 'net view' }), true);
    assert.equal(matches(r('1 of selection_*'), { User: 'admin' }), false); // filter_admin is not in the pattern
  });

  it('any of = 1 of', () => {
    assert.equal(matches(r('any of selection_*'), net), true);
    assert.equal(matches(r('any of selection_*'), { User: 'admin' }), false);
  });

  it('all of pattern: every matching identifier', () => {
    assert.equal(matches(r('all of selection_*'), both), true);
    assert.equal(matches(r('all of selection_*'), net), false);
  });

  it('patterns with * anywhere, combined with other operators', () => {
    assert.equal(matches(r('all of *_img and not 1 of filter*'), net), true);
    assert.equal(matches(r('all of *_img and not 1 of filter*'), { ...net, User: 'admin' }), false);
    assert.equal(matches(r('1 of sel*cli'), { CommandLine: 'net view' }), true);
    assert.equal(matches(r('1 of sel*cli'), net), false);
  });

  it('1 of them / all of them', () => {
    assert.equal(matches(r('1 of them'), { User: 'admin' }), true);
    assert.equal(matches(r('1 of them'), { User: 'bob' }), false);
    assert.equal(matches(r('all of them'), { ...both, User: 'admin' }), true);
    assert.equal(matches(r('all of them'), both), false);
  });

  it('x of binds tighter than not / and / or', () => {
    // not 1 of selection_* = not (selection_img or selection_cli)
    assert.equal(matches(r('not 1 of selection_* and filter_admin'), { User: 'admin' }), true);
    assert.equal(matches(r('not 1 of selection_* and filter_admin'), { ...net, User: 'admin' }), false);
  });

  it('a plain identifier after of', () => {
    assert.equal(matches(r('all of filter_admin'), { User: 'admin' }), true);
    assert.equal(matches(r('all of filter_admin'), { User: 'bob' }), false);
  });

  it('a pattern needs a quantifier; a pattern matching nothing is rejected', () => {
    assert.equal(problems(r('selection_*')).length, 1);
    assert.equal(problems(r('1 of nothing_*')).length, 1);
    assert.equal(problems(r('2 of them')).length, 1);
  });
});

describe('spec: identifiers starting with _', () => {
  const r = (condition: string): string =>
    `title: ${TITLE}\nlogsource:\n  category: test\ndetection:\n  sel_main:\n    A: 1\n  sel_more:\n    B: 1\n  _sel_helper:\n    H: 1\n  condition: ${condition}\n`;

  it('1 of them skips _ identifiers', () => {
    assert.equal(matches(r('1 of them'), { H: 1 }), false);
    assert.equal(matches(r('1 of them'), { A: 1 }), true);
  });

  it('all of them skips _ identifiers', () => {
    assert.equal(matches(r('all of them'), { A: 1, B: 1 }), true);
    assert.equal(matches(r('all of them'), { A: 1 }), false);
  });

  it('patterns skip _ identifiers', () => {
    assert.equal(matches(r('all of *sel*'), { A: 1, B: 1 }), true); // _sel_helper would make this false
    assert.equal(matches(r('1 of *sel*'), { H: 1 }), false);
  });

  it('a _ identifier named directly is used', () => {
    assert.equal(matches(r('sel_main and _sel_helper'), { A: 1, H: 1 }), true);
    assert.equal(matches(r('sel_main and _sel_helper'), { A: 1 }), false);
  });
});

describe('spec: condition lists and references', () => {
  it('a list of conditions is OR', () => {
    const r = rule`
      a:
        A: 1
      b:
        B: 1
      condition:
        - a
        - b
    `;
    assert.equal(matches(r, { A: 1 }), true);
    assert.equal(matches(r, { B: 1 }), true);
    assert.equal(matches(r, { C: 1 }), false);
  });

  it('an unknown identifier is rejected, naming it', () => {
    const errs = problems(abc('a and nonexistent'));
    assert.equal(errs.length, 1);
    assert.match(errs[0], /nonexistent/);
    assert.match(errs[0], new RegExp(`rule '${TITLE}'`));
    // identifiers are case-sensitive
    assert.equal(problems(abc('A')).length, 1);
  });

  it('an unknown identifier in any entry of a condition list is rejected', () => {
    const r = rule`
      a:
        A: 1
      condition:
        - a
        - missing
    `;
    assert.equal(problems(r).length, 1);
  });

  it('the retired pipe syntax is rejected, pointing to correlation rules', () => {
    for (const cond of ['a | count() > 5', 'a | count(B) by C > 3', 'a | near b']) {
      const errs = problems(abc(`'${cond}'`));
      assert.equal(errs.length, 1, cond);
      assert.match(errs[0], /correlation/i, cond);
    }
  });
});

describe('spec: Sigma filters', () => {
  const RULE_1 = '8a8b0000-0000-4000-8000-000000000001';
  const RULE_2 = '8a8b0000-0000-4000-8000-000000000002';
  const rules = `title: Net use one
id: ${RULE_1}
name: net_use_one
logsource: {category: process_creation, product: windows}
detection:
  selection: {CommandLine|contains: 'net use'}
  condition: selection
---
title: Net use two
id: ${RULE_2}
logsource: {category: process_creation, product: windows}
detection:
  selection: {CommandLine|contains: 'net use'}
  condition: selection
`;
  const filterFor = (target: string, condition = 'not selection'): string => `---
title: Ignore admin
logsource: {category: process_creation, product: windows}
filter:
  rules:
    - ${target}
  selection:
    User: admin
  condition: ${condition}
`;

  it('a filter in the same set suppresses matches of the named rule only', () => {
    const det = detector(rules + filterFor(RULE_1));
    assert.deepEqual(matchedTitles(det, { CommandLine: 'net use \\\\x', User: 'admin' }), ['Net use two']);
    assert.deepEqual(matchedTitles(det, { CommandLine: 'net use \\\\x', User: 'bob' }), ['Net use one', 'Net use two']);
    assert.deepEqual(matchedTitles(det, { CommandLine: 'dir', User: 'bob' }), []);
  });

  it('a filter may name the rule by its name', () => {
    const det = detector(rules + filterFor('net_use_one'));
    assert.deepEqual(matchedTitles(det, { CommandLine: 'net use', User: 'admin' }), ['Net use two']);
  });

  it('the filter is joined with AND (pySigma), so its own condition decides', () => {
    // The spec's example omits `not`; pySigma ANDs the filter condition onto the rule,
    // so `condition: selection` keeps only the admin matches.
    const det = detector(rules + filterFor(RULE_2, 'selection'));
    assert.deepEqual(matchedTitles(det, { CommandLine: 'net use', User: 'admin' }), ['Net use one', 'Net use two']);
    assert.deepEqual(matchedTitles(det, { CommandLine: 'net use', User: 'bob' }), ['Net use one']);
  });

  it('without the filter both rules fire', () => {
    const det = detector(rules);
    assert.deepEqual(matchedTitles(det, { CommandLine: 'net use', User: 'admin' }), ['Net use one', 'Net use two']);
  });

  it('a filter naming no loaded rule is reported', () => {
    const errs = problems(rules + filterFor('00000000-0000-4000-8000-00000000dead'));
    assert.equal(errs.length, 1);
    assert.match(errs[0], /00000000-0000-4000-8000-00000000dead/);
  });
});

describe('spec: multi-document YAML (action: global / repeat / reset)', () => {
  const text = `action: global
title: Global part
level: high
logsource:
  category: test
detection:
  common:
    User: alice
  condition: selection and common
---
title: First
detection:
  selection:
    Image: a.exe
---
action: repeat
title: Repeated
detection:
  selection:
    Image: b.exe
---
action: reset
---
title: After reset
logsource:
  category: test
detection:
  selection:
    Image: c.exe
  condition: selection
`;

  it('loads one rule per non-action document', () => {
    const { documents, errors } = loadSigmaText(text);
    assert.deepEqual(errors, []);
    assert.deepEqual(documents.map((d) => d.meta.title), ['First', 'Repeated', 'After reset']);
  });

  it('global is merged into the following documents', () => {
    const det = detector(text);
    assert.deepEqual(matchedTitles(det, { Image: 'a.exe', User: 'alice' }), ['First']);
    assert.deepEqual(matchedTitles(det, { Image: 'a.exe', User: 'bob' }), []); // the global `common` applies
  });

  it('repeat takes the previous document again with its keys overriding', () => {
    const det = detector(text);
    assert.deepEqual(matchedTitles(det, { Image: 'b.exe', User: 'alice' }), ['Repeated']);
    assert.deepEqual(matchedTitles(det, { Image: 'b.exe', User: 'bob' }), []);
  });

  it('reset forgets the global part', () => {
    const det = detector(text);
    assert.deepEqual(matchedTitles(det, { Image: 'c.exe' }), ['After reset']); // no `common` here
    assert.deepEqual(matchedTitles(det, { Image: 'a.exe' }), []);
    const byTitle = new Map(det.rules.map((r) => [r.rule.meta.title, r.rule]));
    assert.deepEqual([...byTitle.get('First')!.detections.keys()].sort(), ['common', 'selection']);
    assert.deepEqual([...byTitle.get('After reset')!.detections.keys()], ['selection']);
    assert.equal(byTitle.get('First')!.meta.level, 'high');
    assert.equal(byTitle.get('After reset')!.meta.level, undefined);
  });

  it('repeat without a previous document and an unknown action are errors', () => {
    assert.equal(loadSigmaText('action: repeat\ntitle: X\n').errors.length, 1);
    assert.equal(loadSigmaText(`action: bogus\n${abc('a')}`).errors.length, 1);
  });
});
