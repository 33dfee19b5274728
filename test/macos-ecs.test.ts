/**
 * macOS Elastic Endpoint exports (the 65 real files of sbousseaden's
 * macOS-ATTACK-DATASET): every file reads in whatever shape it was saved
 * (pretty objects back to back, comma-separated, in stray braces, EQL
 * responses, Kibana console triple quotes), every event is product macos
 * with SigmaHQ's field names, SigmaHQ's macOS rules fire on the techniques
 * the files record, and Vigil's T1049 pack stays silent on them.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { normalizeObject, productOf } from '../src/normalize/index.js';
import { windowsShapeOf } from '../src/normalize/windows-shapes.js';
import type { FlatEvent } from '../src/normalize/flat-event.js';
import { readLogFile } from '../src/sources/read-file.js';
import { readJsonDocument } from '../src/sources/json-document.js';
import { corpus, filesUnder } from './corpus.js';
import { detectorFor, hunt, type HuntResult } from './unix-hunt.js';

const DIR = corpus('macos/sbousseaden-macOS-ATTACK-DATASET');
const FILES = filesUnder(DIR, '.json');
const file = (name: string): string => {
  const f = FILES.find((x) => basename(x) === name);
  assert.ok(f, `corpus file ${name}`);
  return f;
};

interface Read { objects: unknown[]; errors: string[]; format: string }

async function read(path: string): Promise<Read> {
  const r: Read = { objects: [], errors: [], format: '' };
  r.format = await readLogFile(path, {
    line: (buf, s, e) => r.objects.push(JSON.parse(buf.toString('utf8', s, e))),
    object: (o) => r.objects.push(o),
    error: (m) => r.errors.push(m),
  });
  return r;
}

async function events(name: string): Promise<FlatEvent[]> {
  return (await read(file(name))).objects.map((o) => normalizeObject(o));
}

describe('macOS Elastic Endpoint corpus: reading and normalization', () => {
  it('has the 65 files the manifest lists', () => {
    assert.equal(FILES.length, 65);
  });

  it('reads every file whole: one event per saved document, no error, each product macos and never windows', async () => {
    let total = 0;
    for (const f of FILES) {
      const text = readFileSync(f, 'utf8');
      // Each saved Elasticsearch hit carries its own _index: the file's event count.
      const expected = text.match(/"_index"\s*:/g)?.length ?? 0;
      const r = await read(f);
      assert.deepEqual(r.errors, [], basename(f));
      assert.equal(r.objects.length, expected, `${basename(f)}: events`);
      for (const o of r.objects) {
        assert.equal(productOf(o), 'macos', basename(f));
        const ev = normalizeObject(o);
        assert.equal(ev.logsource.product, 'macos');
        assert.equal(ev.problems, undefined);
        assert.equal(ev.get('host.name'), 'Sisis-MacBook-Pro.local');
        const src = (o as { _source: Record<string, unknown> })._source;
        assert.equal(windowsShapeOf(src), undefined, 'an Elastic Endpoint macOS document is no Windows shape');
      }
      total += expected;
    }
    assert.equal(total, 110);
  });

  it('routes by ECS event category/type/action: exec → process_creation, fork → none, end → termination, file → file_event', async () => {
    const count = new Map<string, number>();
    for (const f of FILES) {
      for (const o of (await read(f)).objects) {
        const ev = normalizeObject(o);
        const key = `${ev.get('event.action')}:${ev.logsource.categories.join(',') || '-'}`;
        count.set(key, (count.get(key) ?? 0) + 1);
      }
    }
    // The corpus's own action counts (grep "action" over the files: 75 exec, 7 fork, 5 end, 23 file changes).
    assert.deepEqual(Object.fromEntries([...count].sort()), {
      'end:process_termination': 5,
      'exec:process_creation': 75,
      'fork:-': 7,
      'modification:file_event': 18,
      'rename:file_event': 5,
    });
  });

  it('the osascript clipboard event: Image, CommandLine, user, pids as the export records them', async () => {
    const [osascript, pbpaste] = await events('collection_clipboard_osascript_pbpast.json');
    assert.deepEqual(osascript.logsource, { product: 'macos', categories: ['process_creation'] });
    assert.equal(osascript.get('image'), '/usr/bin/osascript');
    assert.equal(osascript.get('commandline'), 'osascript -e get the clipboard');
    assert.equal(osascript.get('user'), 'sisi');
    assert.equal(osascript.get('processid'), 25623);
    assert.equal(osascript.get('processguid'), 'YzJkOWNlOWEtZmRlZi1hNDA1LTEyNWMtMTcxYTkxZDBlNTRhLTI1NjIzLTEzMjU1MDk0MTUwLjUyMDcwODAwMA==');
    // Elastic Endpoint 7.10 wrote an unknown parent as entity_id "" and args []: no parent fields, not empty ones.
    assert.equal(osascript.get('parentprocessguid'), undefined);
    assert.equal(osascript.get('parentcommandline'), undefined);
    assert.equal(pbpaste.get('image'), '/usr/bin/pbpaste');
    assert.equal(pbpaste.get('commandline'), 'pbpaste');
  });

  it('without process.command_line, CommandLine is process.args joined (as Elastic Endpoint joins them); wrong types reported', async () => {
    const [hit] = (await read(file('collection_clipboard_osascript_pbpast.json'))).objects as { _source: Record<string, any> }[];
    const doc = structuredClone(hit._source);
    delete doc.process.command_line;
    assert.equal(normalizeObject(doc).get('commandline'), hit._source.process.command_line);
    doc.process.args = 'osascript -e get the clipboard';
    const bad = normalizeObject(doc);
    assert.equal(bad.get('commandline'), undefined);
    assert.deepEqual(bad.problems, ['process.args is a string, expected an array of strings; CommandLine left unset']);
    assert.equal(bad.get('image'), '/usr/bin/osascript');
  });

  it('Kibana console triple-quoted command lines are read with their quotes and backslashes', async () => {
    const [login] = await events('persistence_execution_hidden_loginitem_creation_osascript.json');
    assert.equal(login.get('commandline'),
      'osascript -e tell application "System Events" to make login item at end with properties {name: "test", path:"/System/Applications/Calculator.app/Contents/MacOS/Calculator", hidden:true}');
    assert.equal(login.get('process.args_count'), 3);
    const python = (await events('execution_scripting_python.json'))[1];
    assert.match(String(python.get('commandline')), /code=f\.read\(\)\.replace\('\\r\\n', '\\n'\)/);
  });

  it('file events: TargetFilename from file.path (authorized_keys written by zsh then cp, in an EQL response)', async () => {
    const evs = await events('persistence_ssh_authorized_keys_filemod.json');
    assert.deepEqual(evs.map((e) => e.get('image')), ['/bin/zsh', '/bin/cp']);
    for (const ev of evs) {
      assert.deepEqual(ev.logsource, { product: 'macos', categories: ['file_event'] });
      assert.equal(ev.get('targetfilename'), '/Users/sisi/.ssh/authorized_keys');
    }
  });

  it('a list written in braces ({ {…}, {…} }) yields its two file events', async () => {
    const evs = await events('evasion_susp_zip_file_launchagent_for_office_sandbox_evasion.json');
    assert.equal(evs.length, 2);
    assert.ok(evs.every((e) => e.logsource.categories[0] === 'file_event' && typeof e.get('targetfilename') === 'string'));
  });
});

describe('JSON document shapes met in Elasticsearch exports', () => {
  const collect = (text: string): { objects: unknown[]; errors: string[]; ok: boolean } => {
    const objects: unknown[] = [];
    const errors: string[] = [];
    const ok = readJsonDocument(text, { line: () => {}, object: (o) => objects.push(o), error: (m) => errors.push(m) });
    return { objects, errors, ok };
  };

  it('search and EQL responses: hits.hits, hits.events, hits.sequences[].events', () => {
    assert.deepEqual(collect('{"took":1,"hits":{"total":{"value":2},"hits":[{"_source":{"a":1}},{"_source":{"a":2}}]}}').objects.length, 2);
    assert.deepEqual(collect('{"hits":{"events":[{"a":1}]}}').objects, [{ a: 1 }]);
    assert.deepEqual(collect('{"hits":{"sequences":[{"events":[{"a":1},{"a":2}]},{"events":[{"a":3}]}]}}').objects, [{ a: 1 }, { a: 2 }, { a: 3 }]);
  });

  it('objects separated by commas, or wrapped in stray braces', () => {
    assert.deepEqual(collect('{"a":1},\n{"a":2}').objects, [{ a: 1 }, { a: 2 }]);
    assert.deepEqual(collect('{\n {"a":1},\n {"a":2}\n}').objects, [{ a: 1 }, { a: 2 }]);
    // Two commas are not a separator: not a document.
    assert.equal(collect('{"a":1},,{"a":2}').ok, false);
  });

  it('Kibana triple quotes and trailing commas; anything else still fails with its offset', () => {
    assert.deepEqual(collect('{"c": """say "hi" \\n""", "l": [1, 2, ],}').objects, [{ c: 'say "hi" \\n', l: [1, 2] }]);
    const r = collect('{"a":1}\n{"a": tru}\n{"a":3}');
    assert.deepEqual(r.objects, [{ a: 1 }, { a: 3 }]);
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0], /object 2 at character offset 8: invalid JSON/);
  });
});

describe('macOS corpus against rules', () => {
  let sigma: HuntResult;
  let pack: HuntResult;
  before(async () => {
    sigma = await hunt(detectorFor([corpus('sigma-rules/rules/macos')], false), FILES);
    pack = await hunt(detectorFor([], true), FILES);
  });

  const fired = (r: HuntResult, ruleId: string, name: string): number[] =>
    r.alerts.filter((a) => a.rule.id === ruleId && basename(a.source.file) === name).map((a) => a.source.record);

  it('SigmaHQ rules fire on the techniques the files record (anchors read from data and rule)', () => {
    // osascript -e "get the clipboard" (T1115) — Clipboard Access Via OSAScript
    assert.deepEqual(fired(sigma, '7794fa3c-edea-4cff-bec7-267dd4770fd7', 'collection_clipboard_osascript_pbpast.json'), [1]);
    // security dump-keychain (T1555.001) — Credentials from Password Stores - Keychain
    assert.deepEqual(fired(sigma, 'b120b587-a4c2-4b94-875d-99c9807d6955', 'credaccess_keychain_dumping_security.json'), [1]);
    // dseditgroup -o edit -a … admin (T1078.003)
    assert.deepEqual(fired(sigma, '5d0fdb62-f225-42fb-8402-3dfe64da468a', 'privesc_user_added_to_admin_group.json'), [1]);
    // dsenableroot
    assert.deepEqual(fired(sigma, '821bcf4d-46c7-4b87-bc57-9509d3ba7c11', 'privesc_execution_enable_root_account.json'), [1]);
    // JXA eval(ObjC.unwrap(…)) inside a Kibana triple-quoted Slack command line (T1059.007)
    assert.deepEqual(fired(sigma, 'f1408a58-0e94-4165-b80a-da9f96cf6fc3', 'evasion_execution_electron_tcc_bypass_nodejs_childproc_osascript_apfell.json'), [1]);
    // file_event: plists written under /etc/emond.d/rules/ (T1546.014), four hits in one EQL response, one in the next
    assert.deepEqual(fired(sigma, '23c43900-e732-45a4-8354-63e4a6c187ce', 'persistence_emond_rules_filemod.json'), [1, 2, 3, 4, 5]);
  });

  it('SigmaHQ\'s own macOS T1049 rule finds nothing: the corpus holds no who/w/last/lsof/netstat', () => {
    assert.deepEqual(sigma.alerts.filter((a) => a.rule.id === '9a7a0393-2144-4626-9bf1-7c2f5a7321db'), []);
    for (const f of FILES) assert.doesNotMatch(readFileSync(f, 'utf8'), /"executable"\s*:\s*"[^"]*\/(netstat|lsof|who|w|nettop)"/);
  });

  it('the built-in pack raises no alert on the 65 benign files, and reads them without an error', () => {
    assert.deepEqual(pack.alerts.map((a) => `${a.rule.title} ${a.source.file}`), []);
    assert.deepEqual(pack.errors, []);
    assert.equal(pack.events, 110);
  });
});

describe('Windows stays Windows', () => {
  it('the same Elastic Endpoint document with host.os naming Windows is read by the Windows shapes', async () => {
    const [hit] = (await read(file('collection_clipboard_osascript_pbpast.json'))).objects as { _source: Record<string, any> }[];
    const win = structuredClone(hit._source);
    win.host.os = { family: 'windows', platform: 'windows', name: 'Windows 10' };
    assert.equal(windowsShapeOf(win), 'ecs');
    assert.equal(productOf(win), 'windows');
    assert.equal(normalizeObject(win).logsource.product, 'windows');
    // And the macOS original is not.
    assert.equal(productOf(hit), 'macos');
  });
});
