/**
 * Sigma specification v2.1 conformance: values, wildcards, escaping, case,
 * null/empty/exists, numbers and booleans, lists and maps, and the
 * contains/startswith/endswith modifiers.
 *
 * Rule text is written with String.raw (the `rule` tag), so what stands in
 * the template is exactly the YAML a rule author would write; event values
 * are ordinary TypeScript strings ('C:\\Windows' is C:\Windows).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldValue } from '../src/core/event.js';
import { matches, matchesJson, problems, ruleFactory } from './sigma-spec-helpers.js';

// ---------------------------------------------------------------- helpers

const rule = ruleFactory('Spec values rule', '5b0c1f2e-0000-4000-8000-000000000001');

// ---------------------------------------------------------------- tests

describe('spec: wildcards * and ?', () => {
  it('* matches any run of characters, including none and newlines', () => {
    const r = rule`
      sel:
        Image: 'C:\Windows\\*\cmd.exe'
      condition: sel
    `;
    assert.equal(matches(r, { Image: 'C:\\Windows\\System32\\cmd.exe' }), true);
    assert.equal(matches(r, { Image: 'C:\\Windows\\\\cmd.exe' }), true);
    assert.equal(matches(r, { Image: 'C:\\Windows\\System32\\cmd.exe.bak' }), false);
    assert.equal(matches(r, { Image: 'D:\\Windows\\System32\\cmd.exe' }), false);
    const ml = rule`
      sel:
        Text: 'a*c'
      condition: sel
    `;
    assert.equal(matches(ml, { Text: 'a\n\nc' }), true);
    assert.equal(matches(ml, { Text: 'a\n\nb' }), false);
  });

  it('? matches exactly one character', () => {
    const r = rule`
      sel:
        Image: 'prog?.exe'
      condition: sel
    `;
    assert.equal(matches(r, { Image: 'progA.exe' }), true);
    assert.equal(matches(r, { Image: 'prog.exe' }), false);
    assert.equal(matches(r, { Image: 'progAB.exe' }), false);
    // One character is one code point, even outside the BMP (a UTF-16 surrogate pair).
    assert.equal(matches(r, { Image: 'prog\u{1F600}.exe' }), true);
  });

  it('a value of only * matches any present value, but not an absent or null field', () => {
    const r = rule`
      sel:
        Field: '*'
      condition: sel
    `;
    assert.equal(matches(r, { Field: 'anything' }), true);
    assert.equal(matches(r, { Field: '' }), true);
    assert.equal(matches(r, { Field: 42 }), true);
    assert.equal(matches(r, { Other: 'x' }), false);
    assert.equal(matches(r, { Field: null }), false);
    const stars = rule`
      sel:
        Field: '**'
      condition: sel
    `;
    assert.equal(matches(stars, { Field: 'x' }), true);
    const one = rule`
      sel:
        Field: '?'
      condition: sel
    `;
    assert.equal(matches(one, { Field: 'x' }), true);
    assert.equal(matches(one, { Field: '' }), false);
    assert.equal(matches(one, { Field: 'xy' }), false);
  });

  it('regular-expression characters in plain values are literal', () => {
    const r = rule`
      sel:
        Field: 'a.c(d|e)[f]+{2}^$'
      condition: sel
    `;
    assert.equal(matches(r, { Field: 'a.c(d|e)[f]+{2}^$' }), true);
    assert.equal(matches(r, { Field: 'abcd' }), false);
    assert.equal(matches(r, { Field: 'a.cdff' }), false);
    const glob = rule`
      sel:
        Field: 'a.c*'
      condition: sel
    `;
    assert.equal(matches(glob, { Field: 'a.c-rest' }), true);
    assert.equal(matches(glob, { Field: 'abc-rest' }), false);
  });
});

describe('spec: escaping', () => {
  it('\\* and \\? are a literal star and question mark', () => {
    // The classic trap: a path separator right before * escapes the star.
    const path = rule`
      sel:
        Image: 'C:\Windows\*\cmd.exe'
      condition: sel
    `;
    assert.equal(matches(path, { Image: 'C:\\Windows*\\cmd.exe' }), true);
    assert.equal(matches(path, { Image: 'C:\\Windows\\System32\\cmd.exe' }), false);
    const star = rule`
      sel:
        Field: 'a\*c'
      condition: sel
    `;
    assert.equal(matches(star, { Field: 'a*c' }), true);
    assert.equal(matches(star, { Field: 'abc' }), false);
    assert.equal(matches(star, { Field: 'a\\*c' }), false);
    const q = rule`
      sel:
        Field: 'a\?c'
      condition: sel
    `;
    assert.equal(matches(q, { Field: 'a?c' }), true);
    assert.equal(matches(q, { Field: 'abc' }), false);
  });

  it('a lone backslash before an ordinary character is literal: C:\\Windows == C:\\\\Windows', () => {
    const single = rule`
      sel:
        Image: 'C:\Windows\System32\cmd.exe'
      condition: sel
    `;
    const double = rule`
      sel:
        Image: 'C:\\Windows\\System32\\cmd.exe'
      condition: sel
    `;
    for (const r of [single, double]) {
      assert.equal(matches(r, { Image: 'C:\\Windows\\System32\\cmd.exe' }), true);
      // \\ is ONE backslash, not two.
      assert.equal(matches(r, { Image: 'C:\\\\Windows\\\\System32\\\\cmd.exe' }), false);
      assert.equal(matches(r, { Image: 'C:WindowsSystem32cmd.exe' }), false);
    }
  });

  it('a trailing lone backslash is literal', () => {
    const r = rule`
      sel:
        Field: 'dir\'
      condition: sel
    `;
    assert.equal(matches(r, { Field: 'dir\\' }), true);
    assert.equal(matches(r, { Field: 'dir' }), false);
  });

  it('\\\\* is a backslash followed by a wildcard', () => {
    const r = rule`
      sel:
        Image: 'C:\Temp\\*'
      condition: sel
    `;
    assert.equal(matches(r, { Image: 'C:\\Temp\\evil.exe' }), true);
    assert.equal(matches(r, { Image: 'C:\\Temp\\' }), true);
    assert.equal(matches(r, { Image: 'C:\\Tempevil.exe' }), false);
    assert.equal(matches(r, { Image: 'C:\\Temp\\*' }), true); // the wildcard also covers a literal star
  });

  it('\\\\\\* is a backslash followed by a literal star', () => {
    const r = rule`
      sel:
        Field: 'a\\\*'
      condition: sel
    `;
    assert.equal(matches(r, { Field: 'a\\*' }), true);
    assert.equal(matches(r, { Field: 'a\\x' }), false);
    assert.equal(matches(r, { Field: 'a*' }), false);
    assert.equal(matches(r, { Field: 'a\\' }), false);
  });

  it('three or four backslashes (not before a wildcard) are two backslashes', () => {
    for (const r of [
      rule`
        sel:
          Field: 'a\\\\b'
        condition: sel
      `,
      rule`
        sel:
          Field: 'a\\\b'
        condition: sel
      `,
    ]) {
      assert.equal(matches(r, { Field: 'a\\\\b' }), true);
      assert.equal(matches(r, { Field: 'a\\b' }), false);
    }
  });

  it('escaping works with the string modifiers too', () => {
    const r = rule`
      sel:
        Image|endswith: '\*.exe'
      condition: sel
    `;
    assert.equal(matches(r, { Image: 'C:\\x\\*.exe' }), true);
    assert.equal(matches(r, { Image: 'C:\\x\\a.exe' }), false);
    const wild = rule`
      sel:
        Image|endswith: '\\*.exe'
      condition: sel
    `;
    assert.equal(matches(wild, { Image: 'C:\\x\\a.exe' }), true);
    assert.equal(matches(wild, { Image: 'C:\\x.exe' }), true);
    assert.equal(matches(wild, { Image: 'a.exe' }), false);
  });
});

describe('spec: case', () => {
  it('plain values match case-insensitively by default', () => {
    const r = rule`
      sel:
        Image|endswith: '\WHOAMI.exe'
      condition: sel
    `;
    assert.equal(matches(r, { Image: 'c:\\windows\\system32\\whoami.EXE' }), true);
    assert.equal(matches(r, { Image: 'c:\\windows\\system32\\whoami.com' }), false);
  });

  it('cased makes a value case-sensitive (with wildcards and contains too)', () => {
    const r = rule`
      sel:
        Field|cased: 'Abc'
      condition: sel
    `;
    assert.equal(matches(r, { Field: 'Abc' }), true);
    assert.equal(matches(r, { Field: 'abc' }), false);
    assert.equal(matches(r, { Field: 'ABC' }), false);
    const glob = rule`
      sel:
        Field|cased: 'A*c'
      condition: sel
    `;
    assert.equal(matches(glob, { Field: 'Abbc' }), true);
    assert.equal(matches(glob, { Field: 'abbc' }), false);
    const sub = rule`
      sel:
        Field|contains|cased: 'Mimi'
      condition: sel
    `;
    assert.equal(matches(sub, { Field: 'Invoke-Mimikatz' }), true);
    assert.equal(matches(sub, { Field: 'invoke-mimikatz' }), false);
  });

  it('unicode values fold case beyond ASCII; cased keeps them apart', () => {
    const cyr = rule`
      sel:
        User: 'АДМИНИСТРАТОР'
      condition: sel
    `;
    assert.equal(matches(cyr, { User: 'администратор' }), true);
    assert.equal(matches(cyr, { User: 'пользователь' }), false);
    const umlaut = rule`
      sel:
        Path|contains: 'ÜBER'
      condition: sel
    `;
    assert.equal(matches(umlaut, { Path: 'C:\\Users\\über\\x' }), true);
    assert.equal(matches(umlaut, { Path: 'C:\\Users\\uber\\x' }), false);
    const cjk = rule`
      sel:
        Text|contains: '日本'
      condition: sel
    `;
    assert.equal(matches(cjk, { Text: 'x日本語' }), true);
    assert.equal(matches(cjk, { Text: 'x中国語' }), false);
    const cased = rule`
      sel:
        Text|cased: 'É'
      condition: sel
    `;
    assert.equal(matches(cased, { Text: 'É' }), true);
    assert.equal(matches(cased, { Text: 'é' }), false);
  });
});

describe('spec: null, empty, absent, exists', () => {
  const nullRule = rule`
    sel:
      Field: null
    condition: sel
  `;
  const emptyRule = rule`
    sel:
      Field: ''
    condition: sel
  `;

  it('null matches an absent or null field, never an empty string or a value', () => {
    assert.equal(matches(nullRule, {}), true);
    assert.equal(matches(nullRule, { Field: null }), true);
    assert.equal(matches(nullRule, { Field: '' }), false);
    assert.equal(matches(nullRule, { Field: 'x' }), false);
    assert.equal(matchesJson(nullRule, { Field: null }), true);
    assert.equal(matchesJson(nullRule, { Field: '' }), false);
  });

  it("'' matches only an empty string, not an absent or null field", () => {
    assert.equal(matches(emptyRule, { Field: '' }), true);
    assert.equal(matches(emptyRule, { Field: 'x' }), false);
    assert.equal(matches(emptyRule, {}), false);
    assert.equal(matches(emptyRule, { Field: null }), false);
  });

  it("the spec's 'not null' idiom: selection and not filter", () => {
    const r = rule`
      selection:
        EventID: 4738
      filter:
        PasswordLastSet: null
      condition: selection and not filter
    `;
    assert.equal(matches(r, { EventID: 4738, PasswordLastSet: '2024-01-01' }), true);
    assert.equal(matches(r, { EventID: 4738 }), false);
    assert.equal(matches(r, { EventID: 4738, PasswordLastSet: null }), false);
  });

  it('exists: true / false checks presence only, whatever the value (even empty or null)', () => {
    const yes = rule`
      sel:
        Field|exists: true
      condition: sel
    `;
    const no = rule`
      sel:
        Field|exists: false
      condition: sel
    `;
    for (const value of ['x', '', null, 0, false] as FieldValue[]) {
      assert.equal(matches(yes, { Field: value }), true, `exists: true, value ${JSON.stringify(value)}`);
      assert.equal(matches(no, { Field: value }), false, `exists: false, value ${JSON.stringify(value)}`);
    }
    assert.equal(matches(yes, { Other: 'x' }), false);
    assert.equal(matches(no, { Other: 'x' }), true);
  });

  it('exists takes a boolean', () => {
    const bad = rule`
      sel:
        Field|exists: 'yes'
      condition: sel
    `;
    assert.equal(problems(bad).length, 1);
    assert.match(problems(bad)[0], /exists/);
  });
});

describe('spec: numbers and booleans', () => {
  it('an unquoted number matches the number and its text', () => {
    const r = rule`
      sel:
        EventID: 4688
      condition: sel
    `;
    assert.equal(matches(r, { EventID: 4688 }), true);
    assert.equal(matches(r, { EventID: '4688' }), true);
    assert.equal(matchesJson(r, { EventID: 4688 }), true);
    assert.equal(matchesJson(r, { EventID: '4688' }), true);
    assert.equal(matches(r, { EventID: 46880 }), false);
    assert.equal(matches(r, { EventID: '46880' }), false);
    assert.equal(matches(r, { EventID: '14688' }), false);
    assert.equal(matches(r, { EventID: 4624 }), false);
  });

  it('a quoted number matches a numeric event value too', () => {
    const r = rule`
      sel:
        EventID: '4688'
      condition: sel
    `;
    assert.equal(matches(r, { EventID: 4688 }), true);
    assert.equal(matches(r, { EventID: 4689 }), false);
  });

  it('a list of numbers is OR; an event array matches when any element does', () => {
    const r = rule`
      sel:
        EventID:
          - 517
          - 1102
      condition: sel
    `;
    assert.equal(matches(r, { EventID: 517 }), true);
    assert.equal(matches(r, { EventID: '1102' }), true);
    assert.equal(matches(r, { EventID: 518 }), false);
    assert.equal(matches(r, { EventID: [1, 1102] }), true);
    assert.equal(matches(r, { EventID: [1, 2] }), false);
  });

  it('booleans match booleans and their text, case-insensitively', () => {
    const t = rule`
      sel:
        Enabled: true
      condition: sel
    `;
    assert.equal(matches(t, { Enabled: true }), true);
    assert.equal(matches(t, { Enabled: 'True' }), true);
    assert.equal(matches(t, { Enabled: false }), false);
    assert.equal(matches(t, { Enabled: 'false' }), false);
    const f = rule`
      sel:
        Enabled: false
      condition: sel
    `;
    assert.equal(matches(f, { Enabled: false }), true);
    assert.equal(matches(f, { Enabled: true }), false);
    assert.equal(matches(f, {}), false);
  });
});

describe('spec: lists and maps', () => {
  it('a list of values under one field is OR', () => {
    const r = rule`
      sel:
        Image|endswith:
          - '\net.exe'
          - '\net1.exe'
      condition: sel
    `;
    assert.equal(matches(r, { Image: 'C:\\Windows\\System32\\net.exe' }), true);
    assert.equal(matches(r, { Image: 'C:\\Windows\\System32\\net1.exe' }), true);
    assert.equal(matches(r, { Image: 'C:\\Windows\\System32\\netstat.exe' }), false);
  });

  it('|all turns the list into AND', () => {
    const r = rule`
      sel:
        CommandLine|contains|all:
          - 'net'
          - ' use '
          - '\\'
      condition: sel
    `;
    assert.equal(matches(r, { CommandLine: 'net use \\\\server\\share' }), true);
    assert.equal(matches(r, { CommandLine: 'net view \\\\server' }), false);
    assert.equal(matches(r, { CommandLine: 'net use' }), false);
  });

  it('entries of one map are AND', () => {
    const r = rule`
      sel:
        EventLog: Security
        EventID: 4769
        TicketEncryption: '0x17'
      condition: sel
    `;
    assert.equal(matches(r, { EventLog: 'Security', EventID: 4769, TicketEncryption: '0x17' }), true);
    assert.equal(matches(r, { EventLog: 'Security', EventID: 4769, TicketEncryption: '0x12' }), false);
    assert.equal(matches(r, { EventLog: 'Security', EventID: 4769 }), false);
    assert.equal(matches(r, { EventID: 4769, TicketEncryption: '0x17' }), false);
  });

  it('a list of maps is OR of the maps (each still AND inside)', () => {
    const r = rule`
      sel:
        - Image|endswith: '\example.exe'
        - Description|contains: 'Test executable'
          Company: 'ACME'
      condition: sel
    `;
    assert.equal(matches(r, { Image: 'C:\\x\\example.exe' }), true);
    assert.equal(matches(r, { Description: 'A Test executable here', Company: 'acme' }), true);
    assert.equal(matches(r, { Description: 'A Test executable here', Company: 'Other' }), false);
    assert.equal(matches(r, { Image: 'C:\\x\\other.exe', Description: 'nothing' }), false);
  });

  it('a keyword list searches every field value (substring, case-insensitive), OR', () => {
    const r = rule`
      keywords:
        - 'EVILSERVICE'
        - 'svchost.exe -n evil'
      condition: keywords
    `;
    assert.equal(matches(r, { Message: 'Service evilservice was installed' }), true);
    assert.equal(matches(r, { Other: 'x', CommandLine: 'C:\\svchost.exe -n evil -k' }), true);
    assert.equal(matches(r, { Message: 'svchost.exe -n good' }), false);
    assert.equal(matches(r, {}), false);
  });

  it('keywords find numbers and ignore field names', () => {
    const r = rule`
      keywords:
        - '4688'
      condition: keywords
    `;
    assert.equal(matches(r, { EventID: 4688 }), true);
    assert.equal(matches(r, { Field4688: 'x' }), false);
  });

  it("keywords under '|all' are AND (each may sit in a different field)", () => {
    const r = rule`
      keywords_cmdlet:
        '|all':
          - 'OabVirtualDirectory'
          - ' -ExternalUrl '
      condition: keywords_cmdlet
    `;
    assert.equal(matches(r, { Payload: 'Set-OabVirtualDirectory -ExternalUrl http://x' }), true);
    assert.equal(matches(r, { A: 'Set-OabVirtualDirectory', B: 'x -externalurl y' }), true);
    assert.equal(matches(r, { Payload: 'Set-OabVirtualDirectory -InternalUrl http://x' }), false);
    assert.equal(matches(r, { Payload: 'Get-Thing -ExternalUrl http://x' }), false);
  });

  it('keywords may carry wildcards', () => {
    const r = rule`
      keywords:
        - 'event::cl*ar'
      condition: keywords
    `;
    assert.equal(matches(r, { Message: 'mimikatz # event::clear' }), true);
    assert.equal(matches(r, { Message: 'mimikatz # event::drop' }), false);
  });
});

describe('spec: contains / startswith / endswith', () => {
  it('contains puts * around the value', () => {
    const r = rule`
      sel:
        CommandLine|contains: 'netstat -ano'
      condition: sel
    `;
    assert.equal(matches(r, { CommandLine: 'cmd /c NETSTAT -ANO > out.txt' }), true);
    assert.equal(matches(r, { CommandLine: 'netstat -an' }), false);
  });

  it('startswith appends *, endswith prepends *', () => {
    const sw = rule`
      sel:
        Image|startswith: 'C:\Users\'
      condition: sel
    `;
    assert.equal(matches(sw, { Image: 'c:\\users\\bob\\a.exe' }), true);
    assert.equal(matches(sw, { Image: 'D:\\c:\\users\\bob\\a.exe' }), false);
    const ew = rule`
      sel:
        Image|endswith: '\net.exe'
      condition: sel
    `;
    assert.equal(matches(ew, { Image: 'C:\\Windows\\net.exe' }), true);
    assert.equal(matches(ew, { Image: 'C:\\Windows\\net.exe.bak' }), false);
    assert.equal(matches(ew, { Image: 'C:\\Windows\\internet.exe' }), false);
  });

  it('wildcards inside the value keep working', () => {
    const c = rule`
      sel:
        CommandLine|contains: 'net*use'
      condition: sel
    `;
    assert.equal(matches(c, { CommandLine: 'x net.exe use y' }), true);
    assert.equal(matches(c, { CommandLine: 'x use net y' }), false);
    const s = rule`
      sel:
        Image|startswith: 'a?c'
      condition: sel
    `;
    assert.equal(matches(s, { Image: 'abcdef' }), true);
    assert.equal(matches(s, { Image: 'zabc' }), false);
    assert.equal(matches(s, { Image: 'acdef' }), false);
    const e = rule`
      sel:
        Image|endswith: '\sys*\cmd.exe'
      condition: sel
    `;
    assert.equal(matches(e, { Image: 'C:\\Windows\\System32\\cmd.exe' }), true);
    assert.equal(matches(e, { Image: 'C:\\Windows\\Temp\\cmd.exe' }), false);
  });

  it('contains|all needs every value somewhere in the field', () => {
    const r = rule`
      sel:
        CommandLine|contains|all:
          - ' -a'
          - ' -n'
      condition: sel
    `;
    assert.equal(matches(r, { CommandLine: 'netstat -n -a' }), true);
    assert.equal(matches(r, { CommandLine: 'netstat -a' }), false);
  });

  it('contains with windash covers each dash form', () => {
    const r = rule`
      sel:
        CommandLine|windash|contains: ' -ano'
      condition: sel
    `;
    assert.equal(matches(r, { CommandLine: 'netstat /ano' }), true);
    assert.equal(matches(r, { CommandLine: 'netstat \u2013ano' }), true);
    assert.equal(matches(r, { CommandLine: 'netstat +ano' }), false);
  });

  it('startswith/endswith on numbers compare their text', () => {
    const r = rule`
      sel:
        Port|startswith: '44'
      condition: sel
    `;
    assert.equal(matches(r, { Port: 443 }), true);
    assert.equal(matches(r, { Port: 8443 }), false);
  });
});

describe('Vigil: field names', () => {
  // The spec sets no case rule for field names; Vigil resolves them
  // case-insensitively (see NOTES.md), pySigma maps them case-sensitively.
  it('resolve case-insensitively', () => {
    const r = rule`
      sel:
        commandline|contains: 'whoami'
      condition: sel
    `;
    assert.equal(matches(r, { CommandLine: 'whoami /all' }), true);
    assert.equal(matches(r, { CommandLin: 'whoami /all' }), false);
  });
});
