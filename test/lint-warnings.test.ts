/** `vigil lint` warnings and notes (never errors), on small rules written here, and on the T1049 seed rules. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { lintCommand } from '../src/cli/lint.js';
import { UsageError } from '../src/cli/args.js';
import { lintFile, lintFiles, type LintResult } from '../src/lint/lint-file.js';
import { loadTaxonomyFile, parseTaxonomy } from '../src/lint/taxonomy.js';
import { corpus } from './corpus.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-lint-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let counter = 0;
function write(text: string, name = `rule${++counter}.yml`): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** A rule around a detection block (indented under `detection:`). */
function rule(detection: string, opts: { logsource?: string; extra?: string; title?: string } = {}): string {
  return [
    `title: ${opts.title ?? 'Test rule'}`,
    'status: test',
    opts.extra ?? '',
    'logsource:',
    opts.logsource ?? '    product: windows\n    category: process_creation',
    'detection:',
    detection,
    'level: medium',
    '',
  ].join('\n');
}

function lintText(text: string): LintResult {
  return lintFile(write(text), {});
}

function accepted(r: LintResult): void {
  assert.equal(r.ok, true, `expected ok, got errors: ${r.errors.join(' | ')}`);
  assert.deepEqual(r.errors, []);
}

function has(list: string[], ...parts: (string | RegExp)[]): string {
  const hit = list.find((m) => parts.every((p) => (typeof p === 'string' ? m.includes(p) : p.test(m))));
  assert.ok(hit, `no message with ${parts.map(String).join(' + ')} in:\n  ${list.join('\n  ')}`);
  return hit;
}

function none(list: string[], part: string | RegExp): void {
  const hit = list.find((m) => (typeof part === 'string' ? m.includes(part) : part.test(m)));
  assert.equal(hit, undefined, `unexpected message: ${hit}`);
}

describe('exact match on a command-line field', () => {
  test('a bare program name on CommandLine warns, saying what it cannot match', () => {
    const r = lintText(rule('    selection:\n        CommandLine: netstat\n    condition: selection'));
    accepted(r);
    const w = has(r.warnings, "CommandLine: 'netstat' is an exact match", "not 'netstat -ano'", 'CommandLine|contains');
    assert.ok(w.startsWith(r.path + ": rule 'Test rule': detection 'selection': "), w);
  });

  test('every command-line-like field is checked, case-insensitively', () => {
    for (const field of ['ParentCommandLine', 'ProcessCommandLine', 'Processcommandline', 'ScriptBlockText', 'Payload', 'ContextInfo', 'GrandparentCommandLine', 'SOURCECOMMANDLINE']) {
      const r = lintText(rule(`    selection:\n        ${field}: whoami\n    condition: selection`));
      accepted(r);
      has(r.warnings, `${field}: 'whoami' is an exact match`);
    }
  });

  test('values that cannot be whole command lines say so', () => {
    const r = lintText(rule("    selection:\n        CommandLine:\n            - ' -dhl'\n            - '--ntds-file'\n    condition: selection"));
    has(r.warnings, "' -dhl'", 'leading or trailing space');
    has(r.warnings, "'--ntds-file'", 'looks like an argument');
  });

  test('contains/startswith/endswith/re, wildcards at either end and other fields do not warn', () => {
    const r = lintText(rule([
      '    sel_contains:',
      '        CommandLine|contains: netstat',
      '    sel_start:',
      '        CommandLine|startswith: netstat',
      '    sel_end:',
      '        CommandLine|endswith: netstat',
      '    sel_re:',
      "        CommandLine|re: '^netstat$'",
      '    sel_wild:',
      "        CommandLine: '*netstat'",
      '    sel_wild2:',
      "        CommandLine: 'netstat*'",
      '    sel_other:',
      '        Description: netstat',
      '    sel_empty:',
      "        CommandLine: ''",
      '    condition: 1 of sel_*',
    ].join('\n')));
    accepted(r);
    none(r.warnings, 'exact match');
  });

  test('a bare file name on a path field warns too', () => {
    const r = lintText(rule("    selection:\n        Image: 'netstat.exe'\n        ParentImage: 'C:\\Windows\\System32\\cmd.exe'\n    condition: selection"));
    accepted(r);
    has(r.warnings, "Image: 'netstat.exe' is an exact match on a full path", "Image|endswith: '\\netstat.exe'");
    none(r.warnings, 'ParentImage:');
  });
});

describe('ATT&CK reference not among the technique tags', () => {
  const withRefs = (tags: string, refs: string): string =>
    rule('    selection:\n        Image|endswith: \\netstat.exe\n    condition: selection', { extra: `tags:\n${tags}\nreferences:\n${refs}` });

  test('a reference to another technique warns and names both', () => {
    const r = lintText(withRefs('    - attack.discovery\n    - attack.t1049', '    - https://attack.mitre.org/techniques/T1222/'));
    accepted(r);
    has(r.warnings, 'https://attack.mitre.org/techniques/T1222/', 'T1222', 'T1049', 'attack.t1222');
  });

  test('legacy bare tags (T1049) count as technique tags', () => {
    const r = lintText(withRefs('    - T1049', '    - https://attack.mitre.org/techniques/T1049/\n    - https://attack.mitre.org/techniques/T1222/'));
    none(r.warnings, 'techniques/T1049');
    has(r.warnings, 'techniques/T1222/', 'T1049');
  });

  test('sub-techniques: parent and child agree, siblings do not', () => {
    const ok = lintText(withRefs('    - attack.t1222', '    - https://attack.mitre.org/techniques/T1222/002/'));
    none(ok.warnings, 'attack.mitre.org');
    const ok2 = lintText(withRefs('    - attack.t1222.002', '    - https://attack.mitre.org/techniques/T1222/'));
    none(ok2.warnings, 'attack.mitre.org');
    const bad = lintText(withRefs('    - attack.t1222.001', '    - https://attack.mitre.org/techniques/T1222/002'));
    has(bad.warnings, 'T1222.002', 'T1222.001');
  });

  test('no technique tag at all, and references that are not techniques', () => {
    const r = lintText(withRefs('    - attack.discovery', '    - https://attack.mitre.org/techniques/T1049/\n    - https://attack.mitre.org/software/S0359/'));
    has(r.warnings, 'T1049', 'no ATT&CK technique tag');
    none(r.warnings, 'S0359');
  });
});

describe('fields unknown for the logsource', () => {
  test('built-in table: Sysmon process_creation typo warns with a suggestion; a case variant is a note', () => {
    const r = lintText(rule('    selection:\n        CommandLin|contains: netstat\n        image|endswith: \\netstat.exe\n    condition: selection'));
    accepted(r);
    has(r.warnings, "field 'CommandLin' is not a known field of windows/process_creation", "did you mean 'CommandLine'");
    has(r.notes, 'image resolves to Image');
    none(r.warnings, "'image'");
  });

  test('built-in table: Security 4688 legacy names (the seed rule’s fields)', () => {
    const r = lintText(rule([
      '    selection:',
      '        EventID: 4688',
      "        Newprocessname: 'C:\\Windows\\System32\\NETSTAT.EXE'",
      "        Creatorprocessname: 'C:\\windows\\system32\\cmd.exe'",
      '        CommandLine|contains: netstat',
      '    condition: selection',
    ].join('\n'), { logsource: '    product: windows\n    service: security' }));
    accepted(r);
    has(r.notes, 'Newprocessname resolves to NewProcessName');
    // Creatorprocessname is the Event Viewer label of ParentProcessName: read as such, said in a note.
    has(r.notes, "legacy field 'Creatorprocessname' is read as 'ParentProcessName'");
    none(r.warnings, "'Creatorprocessname'");
    none(r.warnings, "'CommandLine'");
  });

  test('built-in table: Sysmon service by EventID, PowerShell categories, CloudTrail nested fields', () => {
    const sysmon = lintText(rule('    selection:\n        EventID: 3\n        DestinationPort: 445\n        DestPort: 445\n    condition: selection',
      { logsource: '    product: windows\n    service: sysmon' }));
    has(sysmon.warnings, "'DestPort'", 'windows/sysmon (EventID 3)');
    none(sysmon.warnings, "'DestinationPort'");
    const ps = lintText(rule('    selection:\n        ScriptBlockText|contains: Get-NetTCPConnection\n        Payload|contains: x\n    condition: selection',
      { logsource: '    product: windows\n    category: ps_script' }));
    has(ps.warnings, "'Payload'", 'windows/ps_script');
    none(ps.warnings, "'ScriptBlockText' is not");
    const ct = lintText(rule('    selection:\n        eventSource: ec2.amazonaws.com\n        eventName: DescribeVpcs\n        userIdentity.type: IAMUser\n        src_ip: 1.2.3.4\n    condition: selection',
      { logsource: '    product: aws\n    service: cloudtrail' }));
    has(ct.warnings, "'src_ip'", 'aws/cloudtrail');
    assert.equal(ct.warnings.filter((w) => w.includes('not a known field')).length, 1);
    const lnx = lintText(rule('    selection:\n        Image|endswith: /netstat\n        CommandLine|contains: -an\n    condition: selection',
      { logsource: '    product: linux\n    category: process_creation' }));
    none(lnx.warnings, 'not a known field');
  });

  test('logsources the table does not know, and Security events it does not list, are skipped', () => {
    const zeek = lintText(rule('    selection:\n        whatever: x\n    condition: selection', { logsource: '    product: zeek\n    service: dce_rpc' }));
    none(zeek.warnings, 'not a known field');
    const sec = lintText(rule('    selection:\n        EventID: 4624\n        LogonType: 3\n    condition: selection', { logsource: '    product: windows\n    service: security' }));
    none(sec.warnings, 'not a known field');
    const noId = lintText(rule('    selection:\n        LogonType: 3\n    condition: selection', { logsource: '    product: windows\n    service: security' }));
    none(noId.warnings, 'not a known field');
  });

  test('--taxonomy: a table in the SigmaHQ logsource.json layout replaces the built-in one', () => {
    const tablePath = write(JSON.stringify({
      title: 'test table',
      legit: {
        windows: {
          common: ['EventID'],
          empty: [],
          category: { process_creation: ['Image', 'CommandLine'], registry_set: [] },
          service: { security: [] },
        },
      },
      addon: { windows: { category: { process_creation: ['GrandparentCommandLine'] } } },
    }), 'table.json');
    const taxonomy = loadTaxonomyFile(tablePath);
    const p = write(rule('    selection:\n        Image|endswith: \\net.exe\n        GrandparentCommandLine|contains: x\n        OriginalFileName: net.exe\n    condition: selection'));
    const r = lintFile(p, { taxonomy });
    has(r.warnings, "'OriginalFileName'", `windows/process_creation in ${tablePath}`);
    none(r.warnings, "'GrandparentCommandLine' is not");
    // An empty list means "not documented": no check.
    const reg = lintFile(write(rule('    selection:\n        Anything: x\n    condition: selection', { logsource: '    product: windows\n    category: registry_set' })), { taxonomy });
    none(reg.warnings, 'not a known field');
    assert.throws(() => parseTaxonomy({ nope: 1 }, 'bad.json'), /legit/);
  });

  test('--taxonomy with SigmaHQ’s own table from the corpus', () => {
    const taxonomy = loadTaxonomyFile(corpus('sigma-rules/tests/logsource.json'));
    const r = lintFile(write(rule('    selection:\n        Image|endswith: \\net.exe\n        ProcessCommandLine|contains: use\n    condition: selection')), { taxonomy });
    has(r.warnings, "'ProcessCommandLine'", 'windows/process_creation');
  });
});

describe('other checks', () => {
  test("'|all' on a single value warns; on a list it does not", () => {
    const r = lintText(rule("    sel1:\n        CommandLine|contains|all: 'net use'\n    sel2:\n        CommandLine|contains|all:\n            - net\n            - use\n    condition: sel1 or sel2"));
    accepted(r);
    has(r.warnings, "detection 'sel1'", "'CommandLine|contains|all' has a single value");
    none(r.warnings, "detection 'sel2'");
  });

  test('a legacy timeframe over one-event conditions is ignored, with a warning', () => {
    const r = lintText(rule('    selection:\n        CommandLine|contains: netstat\n    timeframe: last 5s\n    condition: selection'));
    accepted(r);
    has(r.warnings, "legacy timeframe 'last 5s' is ignored", 'can hold on one event');
  });

  test('a legacy timeframe over a sequence of EventIDs becomes a temporal correlation, in a note', () => {
    const r = lintText(rule('    a:\n        EventID: 4688\n    b:\n        EventID: 4689\n    timeframe: last 1m\n    condition: all of them',
      { logsource: '    product: windows\n    service: security' }));
    accepted(r);
    has(r.notes, "legacy timeframe 'last 1m'", 'temporal correlation of a, b within 60s', 'grouped by Computer');
  });

  test('a detection the condition never uses warns', () => {
    const r = lintText(rule('    selection:\n        CommandLine|contains: netstat\n    forgotten:\n        CommandLine|contains: -ano\n    condition: selection'));
    accepted(r);
    has(r.warnings, "detection 'forgotten' is defined but the condition never uses it");
  });

  test('an unresolved expand placeholder is a warning, not an error', () => {
    const r = lintText(rule('    selection:\n        Computer|expand: "%domain_controllers%"\n    condition: selection'));
    accepted(r);
    has(r.warnings, '%domain_controllers%');
  });
});

describe('errors', () => {
  test('a regex RE2 cannot run rejects the file, naming file, rule and problem', () => {
    const r = lintText(rule("    selection:\n        CommandLine|re: '(?<=net )use'\n    condition: selection", { title: 'Lookbehind' }));
    assert.equal(r.ok, false);
    has(r.errors, r.path, "rule 'Lookbehind'", 'regular expression');
  });

  test('an empty file and a YAML error are rejected', () => {
    assert.equal(lintText('# nothing\n').ok, false);
    const bad = lintText('title: x\ndetection: [\n');
    assert.equal(bad.ok, false);
    has(bad.errors, bad.path);
  });

  test('filters compile like rules; correlations must name linted rules', () => {
    const target = write(rule('    selection:\n        CommandLine|contains: netstat\n    condition: selection', {
      extra: 'id: 0b4a1c3e-3f51-4d0e-9d7c-7b2a5d6e8f90\nname: netstat_run',
    }));
    const filter = write([
      'title: Quiet admin hosts',
      'logsource:\n    product: windows\n    category: process_creation',
      'filter:\n    rules:\n        - netstat_run\n    selection:\n        Computer|re: "(?=x)"\n    condition: not selection',
      '',
    ].join('\n'));
    const fr = lintFile(filter, {});
    assert.equal(fr.ok, false);
    has(fr.errors, "rule 'Quiet admin hosts'", 'regular expression');

    const corr = (ruleRef: string): string => write([
      'title: Many netstat runs',
      'correlation:',
      '    type: event_count',
      `    rules:\n        - ${ruleRef}`,
      '    group-by:\n        - Computer',
      '    timespan: 5m',
      '    condition:\n        gte: 3',
      '',
    ].join('\n'));
    const good = lintFiles([target, corr('netstat_run')]);
    assert.deepEqual(good.map((r) => r.ok), [true, true]);
    has(good[1].notes, 'event_count correlation over netstat_run within 300s, grouped by Computer');
    const bad = lintFiles([target, corr('no_such_rule')]);
    assert.equal(bad[1].ok, false);
    has(bad[1].errors, "correlation refers to rule 'no_such_rule'");
  });
});

describe('seed rules (shared/seeds/004): legacy Security 4688/4689/4703 rules', () => {
  const seedPath = corpus('../seeds/004_db4c1920b8685a7b.txt');
  const blocks = [...readFileSync(seedPath, 'utf8').matchAll(/```yml\r?\n([\s\S]*?)```/g)].map((m) => m[1]);

  test('three YAML blocks, all accepted', () => {
    assert.equal(blocks.length, 3);
    blocks.forEach((b, i) => {
      const r = lintFile(write(b, `seed-${i}.yml`), {});
      accepted(r);
      assert.equal(r.rules.length, 1);
      has(r.notes, 'legacy timeframe', 'temporal correlation', 'grouped by Computer');
      has(r.notes, 'Newprocessname resolves to NewProcessName');
      has(r.notes, "legacy field 'Processcommandline' is read as 'CommandLine'");
    });
  });

  test("the first warns that Processcommandline: netstat is exact", () => {
    const r = lintFile(write(blocks[0], 'seed-netstat.yml'), {});
    has(r.warnings, "Processcommandline: 'netstat' is an exact match", "not 'netstat -ano'", 'Processcommandline|contains');
  });

  test('T1222 is only named outside the rules (no references list), so no reference warning', () => {
    // The markdown links T1222 after the rules; each rule's `references:` is empty.
    for (const b of blocks) assert.match(b, /^references:\s*$/m);
    for (const [i, b] of blocks.entries()) {
      const r = lintFile(write(b, `seed-ref-${i}.yml`), {});
      none(r.warnings, 'T1222');
      none(r.warnings, 'attack.mitre.org');
    }
    // The same rule with the reference the page gives does warn.
    const withRef = blocks[0].replace(/^references:\s*$/m, 'references:\n    - https://attack.mitre.org/techniques/T1222/');
    const r = lintFile(write(withRef, 'seed-with-ref.yml'), {});
    has(r.warnings, 'techniques/T1222/', 'T1049');
  });
});

describe('vigil lint command', () => {
  async function run(argv: string[]): Promise<{ code: number; out: string }> {
    const chunks: string[] = [];
    const writeOut = process.stdout.write.bind(process.stdout);
    const writeErr = process.stderr.write.bind(process.stderr);
    process.stdout.write = ((c: string | Uint8Array) => {
      chunks.push(String(c));
      return true;
    }) as typeof process.stdout.write;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      const code = await lintCommand(argv);
      return { code, out: chunks.join('') };
    } finally {
      process.stdout.write = writeOut;
      process.stderr.write = writeErr;
    }
  }

  const good = write(rule('    selection:\n        CommandLine: netstat\n    condition: selection'), 'cli-good.yml');
  const bad = write(rule("    selection:\n        CommandLine|re: '(?<=a)b'\n    condition: selection"), 'cli-bad.yml');

  test('text: one line per problem and a summary; exit 0 when all are accepted', async () => {
    const { code, out } = await run([good]);
    assert.equal(code, 0);
    const lines = out.trimEnd().split('\n');
    assert.match(lines[0], /^warning: .*cli-good\.yml: rule 'Test rule': .*exact match/);
    assert.equal(lines.at(-1), '1 files, 1 ok, 0 rejected, 1 warnings');
  });

  test('exit 1 when a file is rejected; --quiet prints only files with errors', async () => {
    const { code, out } = await run([good, bad, '--quiet']);
    assert.equal(code, 1);
    assert.ok(!out.includes('cli-good.yml'), out);
    assert.match(out, /^error: .*cli-bad\.yml: rule 'Test rule': .*regular expression/m);
    assert.match(out, /2 files, 1 ok, 1 rejected, 1 warnings\n$/);
  });

  test('json: one object per file per line with the documented keys', async () => {
    const { code, out } = await run(['--format', 'json', good, bad]);
    assert.equal(code, 1);
    const objs = out.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(objs.length, 2);
    for (const o of objs) assert.deepEqual(Object.keys(o), ['path', 'ok', 'rules', 'errors', 'warnings', 'notes']);
    const g = objs.find((o) => o.path === good)!;
    assert.equal(g.ok, true);
    assert.deepEqual(g.rules, [{ id: null, title: 'Test rule' }]);
    assert.equal((g.warnings as string[]).length, 1);
  });

  test('usage errors', async () => {
    await assert.rejects(run([]), UsageError);
    await assert.rejects(run(['--format', 'xml', good]), UsageError);
    await assert.rejects(run(['--taxonomy', join(dir, 'missing.json'), good]), UsageError);
    await assert.rejects(run(['--bogus', good]), UsageError);
  });

  test('a path that does not exist is a rejected file', async () => {
    const { code, out } = await run([join(dir, 'nope.yml')]);
    assert.equal(code, 1);
    assert.match(out, /no such file or folder/);
  });
});
