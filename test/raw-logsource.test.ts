/**
 * rawWindowsHint decides, from a JSON line's bytes, which rules are scanned
 * for before the line is parsed: a line none of them can match is never
 * parsed. So where it answers it must route exactly as normalization does
 * (same service and EventID, categories a superset). Checked on every corpus
 * line, hand-built edge lines, and mutated real lines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeObject } from '../src/normalize/index.js';
import { rawWindowsHint } from '../src/normalize/raw-logsource.js';
import type { EventLogsource } from '../src/core/event.js';
import { corpusJsonLines, winlogbeatLines } from './corpus.js';
import { mutatedLines } from './json-mutations.js';


/** The property; returns the hint (undefined: no answer, the line is parsed). */
function checkLine(line: string): EventLogsource | undefined {
  const buf = Buffer.from(line, 'utf8');
  const hint = rawWindowsHint(buf, 0, buf.length);
  if (hint === undefined) return undefined;
  let obj: unknown;
  try {
    obj = JSON.parse(line);
  } catch {
    return hint; // not JSON: reported only if parsed; skipping it loses no alert
  }
  const ev = normalizeObject(obj);
  const where = line.slice(0, 300);
  assert.equal(ev.logsource.product, 'windows', `hint for a line normalization does not call Windows: ${where}`);
  assert.equal(hint.service, ev.logsource.service, `service: ${where}`);
  assert.equal(hint.eventId, ev.get('eventid'), `EventID: ${where}`);
  for (const c of ev.logsource.categories) assert.ok(hint.categories.includes(c), `category ${c} missing from the hint: ${where}`);
  return hint;
}

test('raw logsource agrees with normalization on every corpus line, and reads nearly every flat Windows line', () => {
  const lines = corpusJsonLines();
  assert.ok(lines.length > 3000, `corpus lines: ${lines.length}`);
  let flat = 0;
  let read = 0;
  let evtx = 0;
  let evtxRead = 0;
  for (const l of lines) {
    const hint = checkLine(l);
    const obj = JSON.parse(l) as Record<string, unknown>;
    // The flat shape as the corpus writes it (OTRF): EventID and Channel at the top.
    if (typeof obj.EventID === 'number' && typeof obj.Channel === 'string') {
      flat++;
      if (hint !== undefined) read++;
    }
    // The evtx_dump shape (the SigmaHQ regression events).
    const system = (obj.Event as Record<string, unknown> | undefined)?.System as Record<string, unknown> | undefined;
    if (typeof system?.Channel === 'string' && system.Channel !== '') {
      evtx++;
      if (hint !== undefined) evtxRead++;
    }
  }
  assert.ok(flat > 3000, `flat lines: ${flat}`);
  assert.ok(read / flat > 0.99, `read ${read} of ${flat} flat lines`);
  assert.ok(evtx > 200, `evtx_dump lines: ${evtx}`);
  assert.ok(evtxRead / evtx > 0.99, `read ${evtxRead} of ${evtx} evtx_dump lines`);
});

test('raw logsource agrees with normalization on Winlogbeat lines, and reads nearly all of them', () => {
  const lines = winlogbeatLines();
  assert.ok(lines.length > 3000, `ECS lines: ${lines.length}`);
  let read = 0;
  for (const l of lines) if (checkLine(l) !== undefined) read++;
  assert.ok(read / lines.length > 0.95, `read ${read} of ${lines.length}`);
  // The real records (Sysmon 11 and 13, as their winlog.event_id says) are read.
  assert.deepEqual(lines.slice(-2).map((l) => checkLine(l)?.eventId), [11, 13]);
  let answered = 0;
  const inserts = [',"event_id":"7"', ',"event_id":null', ',"channel":"Security"', ',"EventID":4624', ',"Channel":"System"',
    ',"user_data":{"EventID":1}', ',"event_data":{"Event ID":1}', ',"event_data":[]', ',"Data":[{"#attributes":{"Name":"Channel"},"#text":"x"}]',
    ',"winlog":{"channel":"x"}', '"', '\\', '{', '}', ',', ':', '\\u0045', ' '];
  for (const m of mutatedLines(lines.filter((_, i) => i % 9 === 0), 1049, inserts, 10)) if (checkLine(m) !== undefined) answered++;
  assert.ok(answered > 500, `mutated lines answered: ${answered}`);
});

test('raw logsource: lines it reads, as normalization routes them', () => {
  const sysmon = 'Microsoft-Windows-Sysmon/Operational';
  const cases: [string, string | undefined, number][] = [
    [JSON.stringify({ EventID: 1, Channel: sysmon }), 'sysmon', 1],
    [JSON.stringify({ EventID: '4688', Channel: 'Security' }), 'security', 4688],
    // a digit string may have leading zeros; it is still the number
    [JSON.stringify({ EventID: '04688', Channel: 'Security' }), 'security', 4688],
    [' { "Channel" : "SECURITY" , "EventID" : 4624 } ', 'security', 4624],
    // the last duplicate wins, as in JSON.parse
    ['{"Channel":"System","EventID":7,"Channel":"Security","EventID":4624}', 'security', 4624],
    // an unknown channel: no service, and normalization does not look at the provider either
    [JSON.stringify({ EventID: 1, Channel: 'Custom/Log', SourceName: 'Microsoft-Windows-Sysmon' }), undefined, 1],
    // keys that only look like shape keys
    [JSON.stringify({ EventID: 12, Channel: sysmon, Event: 'x', System: 1, winlog: null, host: 'h', event: 'e', _source: 's' }), 'sysmon', 12],
    [JSON.stringify({ EventID: 12, Channel: sysmon, host: { name: 'h' } }), 'sysmon', 12],
    // nested objects and strings holding key-like text do not count
    [JSON.stringify({ EventID: 3, Channel: sysmon, x: { Channel: 'Security', EventID: 4688 }, y: '"Channel":"Security"' }), 'sysmon', 3],
    // long values (searched natively past their first bytes) with escaped quotes and backslash runs before quotes
    [JSON.stringify({ EventID: 3, y: 'x'.repeat(40) + '","Channel":"Security"\\', z: 'C:\\' + 'y'.repeat(30) + '\\"', Channel: sysmon }), 'sysmon', 3],
    [JSON.stringify({ Channel: sysmon, y: 'q'.repeat(17) + '\\\\"}', EventID: 22 }), 'sysmon', 22],
    // the evtx_dump shape: System routes it, whatever EventData or the top level say
    ['{"Event":{"System":{"EventID":{"#attributes":{"Qualifiers":16384},"#text":7036},"Channel":"System"}}}', 'system', 7036],
    [JSON.stringify({ Event: { System: { EventID: 1, Channel: sysmon }, EventData: { EventID: 4688, Channel: 'Security' } }, EventID: 5, Channel: 'x' }), 'sysmon', 1],
    [JSON.stringify({ System: { EventID: '4688', Channel: 'Security' }, EventData: { Channel: 'x' } }), 'security', 4688],
    [JSON.stringify({ Event: { System: 'x' }, System: { EventID: 4624, Channel: 'Security' } }), 'security', 4624],
    // Winlogbeat: winlog routes it; fields at the top level or in EventData that merely resemble it do not
    [JSON.stringify({ winlog: { event_id: '4688', channel: 'Security', event_data: { NewProcessName: 'C:\\x.exe', EventType: 'x' } }, EventID: 1 }), 'security', 4688],
    [JSON.stringify({ winlog: { event_id: 1, channel: sysmon, event_data: { 'Event.ID': 4 }, user_data: null }, event: { code: '3' }, host: { os: { type: 'windows' } } }), 'sysmon', 1],
  ];
  for (const [line, service, id] of cases) {
    const hint = checkLine(line);
    assert.ok(hint !== undefined, `no hint for ${line}`);
    assert.equal(hint.service, service, line);
    assert.equal(hint.eventId, id, line);
  }
  // Hostile depth in an evtx_dump line's Data: normalization still reads it as the
  // Windows event its System says (it used to overflow the stack and fall back to generic JSON).
  const deep = `{"Event":{"System":{"EventID":1,"Channel":"Application"},"EventData":{"CommandLine":"x","Data":${'['.repeat(5000)}${']'.repeat(5000)}}}}`;
  assert.equal(checkLine(deep)?.service, 'application');
  // Sysmon 12's category depends on EventType: the hint holds every one it may get.
  const reg = checkLine(JSON.stringify({ EventID: 12, Channel: sysmon, EventType: 'CreateKey' }));
  assert.deepEqual([...reg!.categories].sort(), ['registry_add', 'registry_delete', 'registry_event']);
});

test('raw logsource: lines it leaves to the parser', () => {
  const unread = [
    // another spelling of a routing key: flattening folds case, and which one counts is order
    '{"EventID":1,"channel":"Security","Channel":"System"}',
    '{"EventID":1,"Channel":"System","CHANNEL":"Security"}',
    '{"EventId":1,"Channel":"Security"}',
    '{"eventid":4624,"EventID":1,"Channel":"Security"}',
    // escapes
    '{"EventID":1,"Channel":"Sec\\u0075rity"}',
    '{"EventID":1,"Ch\\u0061nnel":"Security"}',
    '{"EventID":"\\u0031","Channel":"Security"}',
    // EventIDs JSON.parse reads otherwise than as plain digits
    '{"EventID":1.0,"Channel":"Security"}',
    '{"EventID":1e3,"Channel":"Security"}',
    '{"EventID":-1,"Channel":"Security"}',
    '{"EventID":"0x10","Channel":"Security"}',
    '{"EventID":"","Channel":"Security"}',
    '{"EventID":null,"Channel":"Security"}',
    '{"EventID":"1234567890","Channel":"Security"}',
    '{"EventID":01,"Channel":"Security"}',
    // no usable channel: normalization would go by the provider
    '{"EventID":1,"Channel":"","SourceName":"Microsoft-Windows-Sysmon"}',
    '{"EventID":1,"Channel":null}',
    '{"EventID":1,"Channel":5}',
    '{"EventID":1,"Channel":["Security"]}',
    '{"EventID":1,"SourceName":"Microsoft-Windows-Sysmon"}',
    // other shapes come first in normalization
    '{"EventID":1,"Channel":"Security","Event":{"System":{"EventID":4688}}}',
    '{"EventID":1,"Channel":"Security","System":{"EventID":4688}}',
    '{"EventID":1,"Channel":"Security","winlog":{"event_id":4688}}',
    '{"EventID":1,"Channel":"Security","event":{},"host":{"os":{"type":"windows"}}}',
    '{"_id":1,"_source":{"EventID":4688,"Channel":"Security"},"EventID":1,"Channel":"System"}',
    // evtx_dump shape without a readable System EventID and Channel
    '{"Event":{"System":{"EventID":1}}}',
    '{"Event":{"System":{"EventID":1,"Channel":""},"EventData":{"Channel":"Security"}}}',
    '{"Event":{"System":{"EventID":{"#attributes":{"Qualifiers":0}},"Channel":"Security"}}}',
    '{"Event":{"System":{"EventID":1,"Channel":{"#text":"Security"}}}}',
    '{"Event":{"System":"x"},"System":{"Channel":"Security"}}',
    '{"Event":{"System":{"EventID":1,"Channel":"Security"},"System":[]}}',
    '{"Event":{"System":{"EventID":1,"Channel":"Security"}},"_id":1,"_source":{"EventID":4688}}',
    // Winlogbeat lines whose EventData or UserData could set EventID or Channel first, or routed otherwise
    '{"winlog":{"event_id":"1","channel":"Security","event_data":{"EventID":"4688"}}}',
    '{"winlog":{"event_id":"1","channel":"Security","event_data":{"Event ID":"4688"}}}',
    '{"winlog":{"event_id":"1","channel":"Security","event_data":{"CHANNEL":"System"}}}',
    '{"winlog":{"event_id":"1","channel":"Security","event_data":{"":{"EventID":4688}}}}',
    '{"winlog":{"event_id":"1","channel":"Security","event_data":{"Data":[{"#attributes":{"Name":"EventID"},"#text":"4688"}]}}}',
    '{"winlog":{"event_id":"1","channel":"Security","event_data":["x"]}}',
    '{"winlog":{"event_id":"1","channel":"Security","user_data":{"x":{"EventID":4688}}}}',
    '{"winlog":{"channel":"Security"},"event":{"code":"4688"}}',
    '{"winlog":{"event_id":null,"channel":"Security"},"event":{"code":"4688"}}',
    '{"winlog":{"event_id":"4688","channel":"Custom/Log"},"event":{"category":"process","type":"start"}}',
    '{"winlog":{"event_id":"4688"},"event":{"provider":"Microsoft-Windows-Security-Auditing"}}',
    // an empty key: flattening gives its members no prefix, and the first Channel set wins
    '{"":{"Channel":"Microsoft-Windows-Sysmon/Operational","EventID":1},"EventID":1,"Channel":"Application"}',
    // not one object
    '[{"EventID":1,"Channel":"Security"}]',
    '{"EventID":1,"Channel":"Security"} {"x":1}',
    '{"EventID":1,"Channel":"Security"',
    '',
  ];
  for (const l of unread) assert.equal(checkLine(l), undefined, l);
});

test('raw logsource: mutated corpus lines never route otherwise than normalization', () => {
  const lines = corpusJsonLines().filter((_, i) => i % 7 === 0);
  const inserts = [',"EventID":"7"', ',"EventID":1.5', ',"Channel":"Security"', ',"channel":"System"', ',"Channel":""',
    ',"Event":{"System":{}}', ',"System":{"EventID":2}', ',"winlog":{"channel":"x"}', ',"EventType":"DeleteKey"',
    ',"OperationType":"%%1905"', '"', '\\', '{', '}', ',', ':', '\\u0045', ' '];
  let checked = 0;
  let answered = 0;
  for (const m of mutatedLines(lines, 4049, inserts, 10)) {
    if (checkLine(m) !== undefined) answered++;
    checked++;
  }
  assert.ok(checked > 1000 && answered > checked / 4, `checked ${checked}, answered ${answered}`);
});
