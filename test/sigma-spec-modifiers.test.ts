/**
 * Sigma specification v2.1 conformance: value modifiers (appendix "Sigma
 * Modifiers"): windash, re (+ i/m/s), base64/base64offset, utf16le/utf16be/utf16/wide,
 * lt/lte/gt/gte, minute…year, cidr, expand, fieldref, neq.
 *
 * Rule text is written with String.raw (the `rule` tag): the template holds
 * exactly the YAML a rule author would write.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import type { FieldValue } from '../src/core/event.js';
import { b64, b64be, b64bom, b64le, detector, event, itemFactory, matches, problems, ruleFactory } from './sigma-spec-helpers.js';

// ---------------------------------------------------------------- helpers

const TITLE = 'Spec modifiers rule';
const rule = ruleFactory(TITLE, '5b0c1f2e-0000-4000-8000-000000000002');
const item = itemFactory(TITLE);

const DASHES = ['-', '/', '\u2013', '\u2014', '\u2015'];

// ---------------------------------------------------------------- tests

describe('spec: windash', () => {
  const r = rule`
    sel:
      CommandLine|windash|contains: ' -exec '
    condition: sel
  `;

  it('all five dash characters at an option position', () => {
    for (const d of DASHES) {
      assert.equal(matches(r, { CommandLine: `psexec ${d}exec cmd` }), true, `dash U+${d.codePointAt(0)!.toString(16)}`);
    }
    assert.equal(matches(r, { CommandLine: 'psexec +exec cmd' }), false);
    assert.equal(matches(r, { CommandLine: 'psexec exec cmd' }), false);
    assert.equal(matches(r, { CommandLine: 'psexec \\exec cmd' }), false);
  });

  it('a rule written with / also expands to -', () => {
    const slash = rule`
      sel:
        CommandLine|windash|contains: '/all'
      condition: sel
    `;
    assert.equal(matches(slash, { CommandLine: 'whoami -all' }), true);
    assert.equal(matches(slash, { CommandLine: 'whoami \u2015all' }), true);
    assert.equal(matches(slash, { CommandLine: 'whoami all' }), false);
  });

  it('a dash inside a word is left alone', () => {
    const word = rule`
      sel:
        Field|windash: 'foo-bar'
      condition: sel
    `;
    assert.equal(matches(word, { Field: 'foo-bar' }), true);
    assert.equal(matches(word, { Field: 'foo/bar' }), false);
    assert.equal(matches(word, { Field: 'foo\u2013bar' }), false);
    const mixed = rule`
      sel:
        Field|windash: '-param-name'
      condition: sel
    `;
    assert.equal(matches(mixed, { Field: '/param-name' }), true);
    assert.equal(matches(mixed, { Field: '/param/name' }), false);
  });

  it('several option positions vary independently (every permutation)', () => {
    const two = rule`
      sel:
        CommandLine|windash: 'netstat -a -n'
      condition: sel
    `;
    for (const a of DASHES) {
      for (const n of DASHES) {
        assert.equal(matches(two, { CommandLine: `netstat ${a}a ${n}n` }), true, `${a}a ${n}n`);
      }
    }
    assert.equal(matches(two, { CommandLine: 'netstat -a +n' }), false);
  });

  it('windash with contains|all', () => {
    const all = rule`
      sel:
        CommandLine|windash|contains|all:
          - ' -a'
          - ' -n'
      condition: sel
    `;
    assert.equal(matches(all, { CommandLine: 'netstat /a \u2014n' }), true);
    assert.equal(matches(all, { CommandLine: 'netstat /a' }), false);
  });

  it('dash at the start of a literal after a wildcard counts as an option position', () => {
    const w = rule`
      sel:
        CommandLine|windash: '*-enc *'
      condition: sel
    `;
    assert.equal(matches(w, { CommandLine: 'powershell /enc AAAA' }), true);
    assert.equal(matches(w, { CommandLine: 'powershell enc AAAA' }), false);
  });

  // Ambiguity: the appendix says windash creates "all possible permutations" of the five
  // characters. pySigma (reference implementation) only expands '-' and '/' written in the
  // rule (regex \B[-/]\b); Vigil follows pySigma, so a rule written with an en dash stays literal.
  it('(pySigma reading) only - and / in the rule are expanded', () => {
    const en = rule`
      sel:
        CommandLine|windash|contains: ' –exec'
      condition: sel
    `;
    assert.equal(matches(en, { CommandLine: 'psexec \u2013exec' }), true);
    assert.equal(matches(en, { CommandLine: 'psexec -exec' }), false);
  });
});

describe('spec: re', () => {
  it('is case-sensitive without i, insensitive with i', () => {
    const cs = item('Field|re', `'Mimi[a-z]+'`);
    assert.equal(matches(cs, { Field: 'Invoke-Mimikatz' }), true);
    assert.equal(matches(cs, { Field: 'invoke-mimikatz' }), false);
    const ci = item('Field|re|i', `'Mimi[a-z]+'`);
    assert.equal(matches(ci, { Field: 'invoke-MIMIKATZ' }), true);
    assert.equal(matches(ci, { Field: 'invoke-mimi' }), false);
  });

  it('searches unanchored; ^ and $ anchor', () => {
    const free = item('Field|re', `'b+c'`);
    assert.equal(matches(free, { Field: 'aaabbbcccc' }), true);
    assert.equal(matches(free, { Field: 'aaacccc' }), false);
    const anchored = item('Field|re', `'^b+c$'`);
    assert.equal(matches(anchored, { Field: 'bbc' }), true);
    assert.equal(matches(anchored, { Field: 'abbc' }), false);
    assert.equal(matches(anchored, { Field: 'bbcd' }), false);
  });

  it('m: ^ and $ match at line breaks', () => {
    const plain = item('Field|re', `'^second$'`);
    const multi = item('Field|re|m', `'^second$'`);
    const text = 'first\nsecond\nthird';
    assert.equal(matches(plain, { Field: text }), false);
    assert.equal(matches(multi, { Field: text }), true);
    assert.equal(matches(multi, { Field: 'first\nsecond-x\nthird' }), false);
  });

  it('s: dot matches newline', () => {
    const plain = item('Field|re', `'begin.+end'`);
    const dotall = item('Field|re|s', `'begin.+end'`);
    assert.equal(matches(plain, { Field: 'begin\nend' }), false);
    assert.equal(matches(dotall, { Field: 'begin\nend' }), true);
    assert.equal(matches(dotall, { Field: 'begin\nfinish' }), false);
  });

  it('flags combine', () => {
    const r = item('Field|re|i|m', `'^SECOND$'`);
    assert.equal(matches(r, { Field: 'first\nsecond\nthird' }), true);
    assert.equal(matches(r, { Field: 'first\nsecondx\nthird' }), false);
  });

  it('wildcard characters and Sigma escapes mean nothing inside a regex', () => {
    const star = item('Field|re', String.raw`'a\*b'`);
    assert.equal(matches(star, { Field: 'xa*by' }), true);
    assert.equal(matches(star, { Field: 'xaaby' }), false);
    const q = item('Field|re', `'colou?r'`);
    assert.equal(matches(q, { Field: 'color' }), true);
    assert.equal(matches(q, { Field: 'colr' }), false);
    const bs = item('Field|re', String.raw`'C:\\Windows\\'`);
    assert.equal(matches(bs, { Field: 'C:\\Windows\\x' }), true);
    assert.equal(matches(bs, { Field: 'C:Windows' }), false);
  });

  it('matches numeric event values by their text', () => {
    const r = item('EventID|re', `'^46\\d\\d$'`);
    assert.equal(matches(r, { EventID: 4688 }), true);
    assert.equal(matches(r, { EventID: 5688 }), false);
  });

  it('a list of regexes is OR', () => {
    const r = rule`
      sel:
        Field|re:
          - '^a+$'
          - '^b+$'
      condition: sel
    `;
    assert.equal(matches(r, { Field: 'bbb' }), true);
    assert.equal(matches(r, { Field: 'ab' }), false);
  });

  it('ReDoS patterns finish in linear time on 50,000 characters (RE2)', () => {
    const input = 'a'.repeat(50_000);
    for (const pattern of ['(a+)+$b', '(a|aa)+b', '^(a+)+$x', '(a*)*c']) {
      const det = detector(item('Field|re', `'${pattern}'`));
      const ev = event({ Field: input });
      const start = performance.now();
      const hit = det.match(ev).length > 0;
      const ms = performance.now() - start;
      assert.equal(hit, false, pattern);
      assert.ok(ms < 1000, `${pattern} took ${ms.toFixed(0)} ms`);
    }
    // and the same kind of pattern still matches when it should
    assert.equal(matches(item('Field|re', `'^(a+)+$'`), { Field: input }), true);
  });

  it('a regex RE2 cannot run (backreference) is rejected with an error naming the rule', () => {
    const errs = problems(item('Field|re', String.raw`'(a)\1'`));
    assert.equal(errs.length, 1);
    assert.match(errs[0], new RegExp(`rule '${TITLE}'`));
    assert.match(errs[0], /regular expression/);
    const look = problems(item('Field|re', `'foo(?=bar)'`));
    assert.equal(look.length, 1);
    assert.match(look[0], new RegExp(`rule '${TITLE}'`));
  });

  it('regex flags without re are rejected', () => {
    assert.equal(problems(item('Field|i', `'abc'`)).length, 1);
  });
});

describe('spec: base64 / base64offset / utf16 / wide', () => {
  it('base64 matches the encoded value exactly; with contains, anywhere', () => {
    const r = item('Field|base64', `'http://'`);
    assert.equal(matches(r, { Field: b64('http://') }), true);
    assert.equal(matches(r, { Field: b64('https://') }), false);
    assert.equal(matches(r, { Field: 'http://' }), false);
    const c = item('Field|base64|contains', `'http://'`);
    assert.equal(matches(c, { Field: `x ${b64('http://')} y` }), true);
    assert.equal(matches(c, { Field: b64('xhttp://') }), false); // shifted: needs base64offset
  });

  it('base64offset finds the value at each of the three byte offsets inside longer text', () => {
    const value = 'Invoke-Mimikatz';
    const offsetRule = item('Field|base64offset|contains', `'${value}'`);
    const plainRule = item('Field|base64|contains', `'${value}'`);
    const seenOffsets = new Set<number>();
    for (const prefix of ['', 'x', 'xy', 'xyz', 'IEX (', 'powershell ']) {
      for (const suffix of ['', ' -Command', ';']) {
        const encoded = b64(prefix + value + suffix);
        seenOffsets.add(prefix.length % 3);
        assert.equal(matches(offsetRule, { Field: encoded }), true, `prefix '${prefix}' suffix '${suffix}'`);
        assert.equal(matches(offsetRule, { Field: `cmd /c echo ${encoded} | x` }), true);
        // The same text with a character changed in the middle is not found.
        assert.equal(matches(offsetRule, { Field: b64(prefix + 'Invoke-Mimiqatz' + suffix) }), false, `negative, prefix '${prefix}'`);
      }
    }
    assert.deepEqual([...seenOffsets].sort(), [0, 1, 2]);
    // Plain base64 only finds offset 0, which is why base64offset exists.
    assert.equal(matches(plainRule, { Field: b64('x' + value) }), false);
    assert.equal(matches(plainRule, { Field: b64('xy' + value) }), false);
    // The unencoded value is not a match.
    assert.equal(matches(offsetRule, { Field: `powershell ${value}` }), false);
  });

  it('base64 of a value with wildcards is rejected', () => {
    assert.equal(problems(item('Field|base64', `'pi*ng'`)).length, 1);
    assert.equal(problems(item('Field|base64offset|contains', `'pi?ng'`)).length, 1);
  });

  it('wide|base64offset|contains (SigmaHQ PowerShell -EncodedCommand form) at every offset', () => {
    const r = item('CommandLine|wide|base64offset|contains', `'Invoke-WebRequest'`);
    // prefixes of 0, 1, 2 UTF-16 characters: byte offsets 0, 2, 4 = 0, 2, 1 (mod 3)
    for (const prefix of ['', 'x', 'xy', 'iex (', 'IEX(']) {
      const encoded = b64le(`${prefix}Invoke-WebRequest -Uri http://x`);
      assert.equal(matches(r, { CommandLine: `powershell -enc ${encoded}` }), true, `prefix '${prefix}'`);
      assert.equal(matches(r, { CommandLine: `powershell -enc ${b64le(`${prefix}Invoke-WebReqXest -Uri`)}` }), false);
    }
    // UTF-8 text is not UTF-16: no match.
    assert.equal(matches(r, { CommandLine: b64('Invoke-WebRequest') }), false);
  });

  it('utf16le is wide', () => {
    const a = item('Field|utf16le|base64offset|contains', `'whoami'`);
    const b = item('Field|wide|base64offset|contains', `'whoami'`);
    for (const r of [a, b]) {
      assert.equal(matches(r, { Field: b64le('cmd /c whoami /all') }), true);
      assert.equal(matches(r, { Field: b64le('cmd /c whoareyou /all') }), false);
      assert.equal(matches(r, { Field: b64('cmd /c whoami /all') }), false);
    }
  });

  it('utf16be|base64offset|contains', () => {
    const r = item('Field|utf16be|base64offset|contains', `'whoami'`);
    for (const prefix of ['', 'a', 'ab']) {
      assert.equal(matches(r, { Field: b64be(`${prefix}whoami /all`) }), true, `prefix '${prefix}'`);
    }
    assert.equal(matches(r, { Field: b64le('whoami /all') }), false);
  });

  it('utf16 puts a byte-order mark first', () => {
    const exact = item('Field|utf16|base64', `'whoami'`);
    assert.equal(matches(exact, { Field: b64bom('whoami') }), true);
    assert.equal(matches(exact, { Field: b64le('whoami') }), false);
    const off = item('Field|utf16|base64offset|contains', `'whoami'`);
    assert.equal(matches(off, { Field: b64bom('whoami /all') }), true);
    assert.equal(matches(off, { Field: b64bom('whoareyou /all') }), false);
  });

  it('wide|base64 exact', () => {
    const r = item('Field|wide|base64', `'ping'`);
    assert.equal(matches(r, { Field: b64le('ping') }), true);
    assert.equal(matches(r, { Field: b64('ping') }), false);
  });
});

describe('spec: lt / lte / gt / gte', () => {
  it('compare numbers and numeric strings at the boundaries', () => {
    const lt = item('Count|lt', '10');
    const lte = item('Count|lte', '10');
    const gt = item('Count|gt', '10');
    const gte = item('Count|gte', '10');
    const table: [FieldValue, boolean, boolean, boolean, boolean][] = [
      // value      lt     lte    gt     gte
      [9, true, true, false, false],
      [10, false, true, false, true],
      [11, false, false, true, true],
      ['9', true, true, false, false],
      ['10', false, true, false, true],
      ['11', false, false, true, true],
      ['10.5', false, false, true, true],
      ['-3', true, true, false, false],
      [' 12 ', false, false, true, true],
    ];
    for (const [v, a, b, c, d] of table) {
      assert.equal(matches(lt, { Count: v }), a, `${JSON.stringify(v)} lt 10`);
      assert.equal(matches(lte, { Count: v }), b, `${JSON.stringify(v)} lte 10`);
      assert.equal(matches(gt, { Count: v }), c, `${JSON.stringify(v)} gt 10`);
      assert.equal(matches(gte, { Count: v }), d, `${JSON.stringify(v)} gte 10`);
    }
  });

  it('numeric strings compare as numbers, not as text', () => {
    // as text, '9' > '10'
    assert.equal(matches(item('Count|gt', '10'), { Count: '9' }), false);
    assert.equal(matches(item('Count|lt', '10'), { Count: '100' }), false);
  });

  it('non-numeric event values never match, on either side', () => {
    for (const v of ['abc', '', '12abc', '1 2', 'Infinity', 'NaN', true, false, null] as FieldValue[]) {
      assert.equal(matches(item('Count|gt', '10'), { Count: v }), false, `gt ${JSON.stringify(v)}`);
      assert.equal(matches(item('Count|lt', '10'), { Count: v }), false, `lt ${JSON.stringify(v)}`);
    }
    assert.equal(matches(item('Count|lt', '10'), {}), false);
  });

  it('fractions, negatives and quoted numbers in the rule', () => {
    assert.equal(matches(item('V|gte', '-1.5'), { V: '-1.5' }), true);
    assert.equal(matches(item('V|gte', '-1.5'), { V: -1.6 }), false);
    assert.equal(matches(item('V|gt', `'100'`), { V: 101 }), true);
    assert.equal(matches(item('V|gt', `'100'`), { V: 100 }), false);
  });

  it('a list is OR', () => {
    const r = rule`
      sel:
        V|lt:
          - 0
          - 5
      condition: sel
    `;
    assert.equal(matches(r, { V: 3 }), true);
    assert.equal(matches(r, { V: 7 }), false);
  });

  it('a non-numeric rule value is rejected', () => {
    assert.equal(problems(item('V|gt', 'abc')).length, 1);
    assert.equal(problems(item('V|gt', `''`)).length, 1);
  });
});

describe('spec: minute / hour / day / week / month / year', () => {
  const iso = '2025-11-27T07:40:10.160Z';
  const spaced = '2025-11-27 07:40:10';

  it('pull each part out of ISO and "YYYY-MM-DD hh:mm:ss" values', () => {
    const cases: [string, number, number][] = [
      ['minute', 40, 41],
      ['hour', 7, 8],
      ['day', 27, 26],
      ['week', 48, 47], // ISO week of Thursday 2025-11-27
      ['month', 11, 10],
      ['year', 2025, 2024],
    ];
    for (const [part, yes, no] of cases) {
      for (const value of [iso, spaced]) {
        assert.equal(matches(item(`Time|${part}`, String(yes)), { Time: value }), true, `${part} ${yes} of ${value}`);
        assert.equal(matches(item(`Time|${part}`, String(no)), { Time: value }), false, `${part} ${no} of ${value}`);
      }
    }
  });

  it('no time-zone conversion: the hour is the one written', () => {
    const value = '2025-11-27T07:40:10+05:00';
    assert.equal(matches(item('Time|hour', '7'), { Time: value }), true);
    assert.equal(matches(item('Time|hour', '2'), { Time: value }), false);
    const west = '2025-11-27T23:30:00-08:00';
    assert.equal(matches(item('Time|day', '27'), { Time: west }), true);
    assert.equal(matches(item('Time|day', '28'), { Time: west }), false);
  });

  it('ISO weeks across the year boundary', () => {
    assert.equal(matches(item('Time|week', '1'), { Time: '2024-12-30 10:00:00' }), true);
    assert.equal(matches(item('Time|week', '52'), { Time: '2024-12-30 10:00:00' }), false);
    assert.equal(matches(item('Time|week', '1'), { Time: '2025-01-01T00:00:00Z' }), true);
  });

  it('combined with lt / gte (Vigil supports the chain; pySigma does not)', () => {
    const night = rule`
      late:
        Time|hour|gte: 20
      early:
        Time|hour|lt: 6
      condition: late or early
    `;
    assert.equal(matches(night, { Time: '2025-11-27 21:40:10' }), true);
    assert.equal(matches(night, { Time: '2025-11-27T03:00:00Z' }), true);
    assert.equal(matches(night, { Time: '2025-11-27 19:59:59' }), false);
    assert.equal(matches(night, { Time: '2025-11-27T06:00:00Z' }), false);
  });

  it('a list of parts is OR', () => {
    const r = rule`
      sel:
        Time|month:
          - 1
          - 12
      condition: sel
    `;
    assert.equal(matches(r, { Time: '2025-12-01 00:00:00' }), true);
    assert.equal(matches(r, { Time: '2025-06-01 00:00:00' }), false);
  });

  it('values that are not dates never match', () => {
    for (const v of ['garbage', '27/11/2025 07:40', '', '2025-13-45T07:00:00', null] as FieldValue[]) {
      assert.equal(matches(item('Time|hour', '7'), { Time: v }), false, JSON.stringify(v));
    }
  });
});

describe('spec: cidr', () => {
  const inNet = (net: string, ip: string): boolean => matches(item('Ip|cidr', `'${net}'`), { Ip: ip });
  /** Asserts each row: [network, event address, whether the address is in the network]. */
  const expectInNet = (rows: [net: string, ip: string, expected: boolean][]): void => {
    for (const [net, ip, expected] of rows) assert.equal(inNet(net, ip), expected, `${ip} in ${net}`);
  };

  it('IPv4 networks', () => {
    expectInNet([
      ['10.0.0.0/8', '10.255.1.2', true],
      ['10.0.0.0/8', '11.0.0.1', false],
      ['192.168.1.0/24', '192.168.1.255', true],
      ['192.168.1.0/24', '192.168.2.0', false],
      ['172.16.0.0/12', '172.31.255.255', true],
      ['172.16.0.0/12', '172.32.0.0', false],
    ]);
  });

  it('/0 and /32', () => {
    expectInNet([
      ['0.0.0.0/0', '8.8.8.8', true],
      ['10.1.2.3/32', '10.1.2.3', true],
      ['10.1.2.3/32', '10.1.2.4', false],
    ]);
  });

  it('IPv6 networks, compressed zeros and case', () => {
    expectInNet([
      ['2001:db8::/32', '2001:0db8:0000:0000:0000:0000:0000:0001', true],
      ['2001:db8::/32', '2001:DB8::1', true],
      ['2001:db8::/32', '2001:db9::1', false],
      ['2001:0db8:0000::/48', '2001:db8:0:ffff::1', true],
      ['2001:0db8:0000::/48', '2001:db8:1::1', false],
      ['fe80::/10', 'febf::1', true],
      ['fe80::/10', 'fec0::1', false],
    ]);
  });

  it('IPv6 /0 and /128', () => {
    expectInNet([
      ['::/0', 'fe80::1', true],
      ['::/0', '2001:db8::1', true],
      ['fe80::1/128', 'fe80:0:0:0:0:0:0:1', true],
      ['fe80::1/128', 'fe80::2', false],
      ['::1/128', '::1', true],
      ['::1/128', '::2', false],
    ]);
  });

  it('IPv4 and IPv6 stay apart, except IPv4-mapped addresses (::ffff:a.b.c.d)', () => {
    expectInNet([
      ['0.0.0.0/0', '::1', false],
      ['::/0', '1.2.3.4', false],
      // Dual-stack sockets log IPv4 peers as ::ffff:a.b.c.d; they belong to the IPv4 network.
      ['10.0.0.0/8', '::ffff:10.1.2.3', true],
      ['10.0.0.0/8', '::FFFF:a01:203', true], // same address in hex words
      ['10.0.0.0/8', '::ffff:11.1.2.3', false],
      // A network written in the mapped form takes plain IPv4 and mapped addresses alike.
      ['::ffff:10.0.0.0/104', '10.1.2.3', true],
      ['::ffff:10.0.0.0/104', '::ffff:10.1.2.3', true],
      ['::ffff:10.0.0.0/104', '11.1.2.3', false],
    ]);
  });

  it('event values that are not addresses never match', () => {
    for (const v of ['not-an-ip', '10.1.2', '10.1.2.3.4', '', '10.1.2.256']) {
      assert.equal(inNet('10.0.0.0/8', v), false, v);
    }
    assert.equal(matches(item('Ip|cidr', `'10.0.0.0/8'`), { Ip: null }), false);
  });

  it('a list of networks is OR', () => {
    const r = rule`
      sel:
        DestinationIp|cidr:
          - '10.0.0.0/8'
          - '192.168.0.0/16'
          - 'fc00::/7'
      condition: sel
    `;
    assert.equal(matches(r, { DestinationIp: '192.168.5.5' }), true);
    assert.equal(matches(r, { DestinationIp: 'fd12::1' }), true);
    assert.equal(matches(r, { DestinationIp: '8.8.8.8' }), false);
  });

  it('an invalid network is rejected with an error naming the rule', () => {
    for (const bad of ['10.0.0.0/33', '300.0.0.0/8', '10.0.0.0/x', '2001:db8::/129', 'foo', '10.0.0/8', '1:2:3:4:5:6:7:8:9/64', '10.0.0.0/-1']) {
      const errs = problems(item('Ip|cidr', `'${bad}'`));
      assert.equal(errs.length, 1, bad);
      assert.match(errs[0], new RegExp(`rule '${TITLE}'.*cidr`), bad);
    }
  });
});

describe('spec: expand (placeholders)', () => {
  const placeholders = new Map<string, string[]>([
    ['Workstations', ['ws-001', 'ws-002']],
    ['Servers', ['srv*']],
    ['Admins', ['root']],
  ]);

  it('a placeholder with a list of values is OR of them', () => {
    const r = item('Host|expand', `'%Workstations%'`);
    assert.equal(matches(r, { Host: 'ws-001' }, { placeholders }), true);
    assert.equal(matches(r, { Host: 'WS-002' }, { placeholders }), true);
    assert.equal(matches(r, { Host: 'ws-003' }, { placeholders }), false);
  });

  it('a configured value may carry wildcards; text around the placeholder stays', () => {
    const r = item('Host|expand', `'%Servers%.corp'`);
    assert.equal(matches(r, { Host: 'srv-db.corp' }, { placeholders }), true);
    assert.equal(matches(r, { Host: 'srv-db.home' }, { placeholders }), false);
    const two = item('User|expand', `'%Admins%@%Workstations%'`);
    assert.equal(matches(two, { User: 'root@ws-002' }, { placeholders }), true);
    assert.equal(matches(two, { User: 'bob@ws-002' }, { placeholders }), false);
  });

  it('an unresolved placeholder is rejected with a message naming it', () => {
    const errs = problems(item('Host|expand', `'%DomainControllers%'`), { placeholders });
    assert.equal(errs.length, 1);
    assert.match(errs[0], /%DomainControllers%/);
    assert.match(errs[0], new RegExp(`rule '${TITLE}'`));
    assert.equal(problems(item('Host|expand', `'%Workstations%'`)).length, 1, 'no placeholders configured');
  });

  it('without expand, %name% is a literal value', () => {
    const r = item('Host', `'%Workstations%'`);
    assert.equal(matches(r, { Host: '%Workstations%' }, { placeholders }), true);
    assert.equal(matches(r, { Host: 'ws-001' }, { placeholders }), false);
  });

  it('\\% is a plain percent sign (spec example \\%plain%name%)', () => {
    const r = item('Host|expand', String.raw`'\%plain%Admins%'`);
    assert.equal(matches(r, { Host: '%plainroot' }, { placeholders }), true);
    assert.equal(matches(r, { Host: '%plain%Admins%' }, { placeholders }), false);
  });
});

describe('spec: fieldref', () => {
  it('equal / not equal across two fields of the same event (case-insensitive)', () => {
    const r = item('SourceUser|fieldref', `'TargetUser'`);
    assert.equal(matches(r, { SourceUser: 'Alice', TargetUser: 'alice' }), true);
    assert.equal(matches(r, { SourceUser: 'Alice', TargetUser: 'bob' }), false);
    assert.equal(matches(r, { SourceUser: 'Alice' }), false);
    assert.equal(matches(r, { SourceUser: 'TargetUser' }), false); // the value names a field, it is not a literal
  });

  it('compares numbers with their text', () => {
    const r = item('A|fieldref', `'B'`);
    assert.equal(matches(r, { A: 5, B: '5' }), true);
    assert.equal(matches(r, { A: 5, B: '6' }), false);
  });

  it('cased', () => {
    const r = item('A|fieldref|cased', `'B'`);
    assert.equal(matches(r, { A: 'X', B: 'X' }), true);
    assert.equal(matches(r, { A: 'X', B: 'x' }), false);
  });

  it('with contains / startswith / endswith', () => {
    const c = item('CommandLine|fieldref|contains', `'User'`);
    assert.equal(matches(c, { CommandLine: 'net user BOB /add', User: 'bob' }), true);
    assert.equal(matches(c, { CommandLine: 'net user alice /add', User: 'bob' }), false);
    const s = item('Path|fieldref|startswith', `'Home'`);
    assert.equal(matches(s, { Path: 'C:\\Users\\bob\\x.exe', Home: 'C:\\Users\\bob' }), true);
    assert.equal(matches(s, { Path: 'D:\\C:\\Users\\bob\\x.exe', Home: 'C:\\Users\\bob' }), false);
    const e = item('Path|fieldref|endswith', `'Name'`);
    assert.equal(matches(e, { Path: 'C:\\x\\evil.exe', Name: 'evil.exe' }), true);
    assert.equal(matches(e, { Path: 'C:\\x\\evil.exe.bak', Name: 'evil.exe' }), false);
  });

  it('with neq (spec 2.1: fieldref can be combined with neq)', () => {
    const r = item('SourceUser|fieldref|neq', `'TargetUser'`);
    assert.equal(matches(r, { SourceUser: 'alice', TargetUser: 'bob' }), true);
    assert.equal(matches(r, { SourceUser: 'alice', TargetUser: 'ALICE' }), false);
  });

  it('a list of references is OR', () => {
    const r = rule`
      sel:
        A|fieldref:
          - B
          - C
      condition: sel
    `;
    assert.equal(matches(r, { A: 'x', B: 'y', C: 'x' }), true);
    assert.equal(matches(r, { A: 'x', B: 'y', C: 'z' }), false);
  });
});

describe('spec: neq', () => {
  it('single value: the field is different (case-insensitive like any value)', () => {
    const r = item('User|neq', `'admin'`);
    assert.equal(matches(r, { User: 'bob' }), true);
    assert.equal(matches(r, { User: 'admin' }), false);
    assert.equal(matches(r, { User: 'ADMIN' }), false);
  });

  it('numbers', () => {
    const r = item('EventID|neq', '4688');
    assert.equal(matches(r, { EventID: 4624 }), true);
    assert.equal(matches(r, { EventID: 4688 }), false);
    assert.equal(matches(r, { EventID: '4688' }), false);
  });

  it('list: different from every value', () => {
    const r = rule`
      sel:
        User|neq:
          - admin
          - root
      condition: sel
    `;
    assert.equal(matches(r, { User: 'bob' }), true);
    assert.equal(matches(r, { User: 'admin' }), false);
    assert.equal(matches(r, { User: 'root' }), false);
  });

  it('combined with another item of the same map', () => {
    const r = rule`
      sel:
        EventID: 4624
        LogonType|neq: 3
      condition: sel
    `;
    assert.equal(matches(r, { EventID: 4624, LogonType: 10 }), true);
    assert.equal(matches(r, { EventID: 4624, LogonType: 3 }), false);
    assert.equal(matches(r, { EventID: 4625, LogonType: 10 }), false);
  });

  // Ambiguity: the spec does not say what neq does with an absent field. pySigma implements
  // neq as negation of the whole detection item (NOT field=value), which an absent field
  // satisfies; Vigil does the same.
  it('(pySigma reading) an absent field is different from the value', () => {
    assert.equal(matches(item('User|neq', `'admin'`), {}), true);
  });
});
