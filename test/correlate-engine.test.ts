/** Correlation rules (spec v2.1): every type, ranges, group-by, aliases, chaining, order, bounds. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldValue } from '../src/core/event.js';
import { CorrelationEngine, type CorrelationOptions } from '../src/correlate/engine.js';
import type { CorrelationAlert, CorrelationInput } from '../src/correlate/types.js';
import { loadSigmaText } from '../src/sigma/load.js';
import type { SigmaCorrelation } from '../src/sigma/model.js';

/** A correlation document from YAML, as a user writes it. */
function correlation(yaml: string): SigmaCorrelation {
  const { documents, errors } = loadSigmaText(yaml);
  assert.deepEqual(errors.map((e) => e.describe()), []);
  const c = documents.find((d): d is SigmaCorrelation => d.type === 'correlation');
  assert.ok(c);
  return c;
}

function corrYaml(body: string, title = 'C', name = 'the_correlation'): string {
  return `title: ${title}\nname: ${name}\ncorrelation:\n${body.replace(/^/gm, '  ')}\n`;
}

function engine(cs: SigmaCorrelation[], extra: Partial<CorrelationOptions> = {}): { e: CorrelationEngine; alerts: CorrelationAlert[] } {
  const alerts: CorrelationAlert[] = [];
  const e = new CorrelationEngine(cs, { onAlert: (a) => alerts.push(a), ...extra });
  return { e, alerts };
}

let record = 0;
function input(rule: string, t: number, fields: Record<string, FieldValue> = {}): CorrelationInput {
  const lower = new Map(Object.entries(fields).map(([k, v]) => [k.toLowerCase(), v]));
  return { refs: [rule], time: t * 1000, get: (f) => lower.get(f.toLowerCase()), source: { file: 'f', record: ++record, rule } };
}

describe('event_count', () => {
  const c = correlation(corrYaml('type: event_count\nrules: [fail]\ngroup-by: [User]\ntimespan: 10s\ncondition:\n  gte: 3'));

  it('fires when the count is reached inside the window, per group', () => {
    const { e, alerts } = engine([c]);
    for (const [t, u] of [[0, 'a'], [1, 'b'], [2, 'a'], [3, 'b'], [4, 'a']] as const) e.push(input('fail', t, { User: u }));
    e.flush();
    assert.equal(alerts.length, 1);
    assert.deepEqual(alerts[0].group, { User: 'a' });
    assert.equal(alerts[0].value, 3);
    assert.deepEqual(alerts[0].window, { start: 0, end: 4000 });
    assert.equal(alerts[0].events.length, 3);
  });

  it('does not fire when the events are spread wider than the timespan (sliding window)', () => {
    const { e, alerts } = engine([c]);
    for (const t of [0, 6, 12, 18]) e.push(input('fail', t, { User: 'a' }));
    e.flush();
    assert.equal(alerts.length, 0);
    const { e: e2, alerts: a2 } = engine([c]);
    for (const t of [0, 6, 12, 13]) e2.push(input('fail', t, { User: 'a' })); // 6, 12, 13 fit in 10 s
    e2.flush();
    assert.equal(a2.length, 1);
    assert.deepEqual(a2[0].window, { start: 6000, end: 13000 });
  });

  it('a burst gives one alert: the group starts afresh after firing', () => {
    const { e, alerts } = engine([c]);
    for (let t = 0; t < 5; t++) e.push(input('fail', t, { User: 'a' }));
    e.flush();
    assert.equal(alerts.length, 1);
  });

  it('ranges: every operator given must hold', () => {
    const range = correlation(corrYaml('type: event_count\nrules: [x]\ntimespan: 1m\ncondition:\n  gt: 1\n  lte: 2'));
    const { e, alerts } = engine([range]);
    e.push(input('x', 0));
    e.push(input('x', 1));
    e.flush();
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0].value, 2);
  });
});

describe('value_count', () => {
  it('counts distinct values of condition.field (case-insensitively)', () => {
    const c = correlation(corrYaml('type: value_count\nrules: [conn]\ngroup-by: [SourceIp]\ntimespan: 1m\ncondition:\n  field: DestinationPort\n  gte: 3'));
    const { e, alerts } = engine([c]);
    for (const [t, p] of [[0, 22], [1, 22], [2, 80], [3, 22], [4, 443]] as const) e.push(input('conn', t, { SourceIp: '10.0.0.5', DestinationPort: p }));
    e.flush();
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0].value, 3);
    assert.equal(alerts[0].window.end, 4000);
  });
});

describe('temporal and temporal_ordered', () => {
  const yaml = (type: string): SigmaCorrelation =>
    correlation(corrYaml(`type: ${type}\nrules: [a, b, c]\ngroup-by: [Computer]\ntimespan: 5s`));

  it('temporal: every rule within the timespan, any order, same group', () => {
    const { e, alerts } = engine([yaml('temporal')]);
    e.push(input('c', 0, { Computer: 'h1' }));
    e.push(input('a', 1, { Computer: 'h1' }));
    e.push(input('b', 2, { Computer: 'h2' })); // other host
    e.push(input('b', 3, { Computer: 'h1' }));
    e.flush();
    assert.equal(alerts.length, 1);
    assert.deepEqual(alerts[0].group, { Computer: 'h1' });
  });

  it('temporal: one rule missing, or a gap beyond the timespan, gives nothing', () => {
    const { e, alerts } = engine([yaml('temporal')]);
    e.push(input('a', 0, { Computer: 'h1' }));
    e.push(input('b', 1, { Computer: 'h1' }));
    e.push(input('c', 7, { Computer: 'h1' })); // a at 0 is out of the 5 s window ending at 7
    e.flush();
    assert.equal(alerts.length, 0);
  });

  it('temporal_ordered: only in the listed order', () => {
    const ordered = yaml('temporal_ordered');
    const out = engine([ordered]);
    out.e.push(input('c', 0, { Computer: 'h' }));
    out.e.push(input('b', 1, { Computer: 'h' }));
    out.e.push(input('a', 2, { Computer: 'h' }));
    out.e.flush();
    assert.equal(out.alerts.length, 0);
    const inOrder = engine([ordered]);
    inOrder.e.push(input('a', 0, { Computer: 'h' }));
    inOrder.e.push(input('c', 1, { Computer: 'h' }));
    inOrder.e.push(input('b', 2, { Computer: 'h' }));
    inOrder.e.push(input('c', 3, { Computer: 'h' }));
    inOrder.e.flush();
    assert.equal(inOrder.alerts.length, 1);
  });
});

describe('value_sum, value_avg, value_percentile', () => {
  const mk = (type: string, cond: string): SigmaCorrelation =>
    correlation(corrYaml(`type: ${type}\nrules: [x]\ngroup-by: [User]\ntimespan: 1h\ncondition:\n  field: bytes\n${cond}`));

  it('sum, average and percentile of a numeric field', () => {
    const bytes = [100, '300', 200, 'n/a', 1000];
    const run = (c: SigmaCorrelation): CorrelationAlert[] => {
      const { e, alerts } = engine([c]);
      bytes.forEach((b, t) => e.push(input('x', t, { User: 'u', bytes: b })));
      e.flush();
      return alerts;
    };
    const sum = run(mk('value_sum', '  gte: 1600'));
    assert.equal(sum.length, 1);
    assert.equal(sum[0].value, 1600); // 'n/a' is not a number and is ignored
    const avg = run(mk('value_avg', '  gt: 350'));
    assert.equal(avg.length, 1);
    assert.equal(avg[0].value, 400);
    assert.equal(run(mk('value_avg', '  gt: 400')).length, 0);
    // Median of [100, 300, 200] is 200: fires; the group starts afresh, and [1000] alone fires again.
    const p = run(mk('value_percentile', '  percentile: 50\n  gte: 200'));
    assert.deepEqual(p.map((a) => a.value), [200, 1000]);
  });
});

describe('aliases, chaining, generate', () => {
  it('aliases map one group-by name to a different field per rule', () => {
    const c = correlation(corrYaml([
      'type: temporal', 'rules: [logon, proc]', 'group-by: [who]', 'timespan: 1m',
      'aliases:', '  who:', '    logon: TargetUserName', '    proc: SubjectUserName',
    ].join('\n')));
    const { e, alerts } = engine([c]);
    e.push(input('logon', 0, { TargetUserName: 'alice', SubjectUserName: 'SYSTEM' }));
    e.push(input('proc', 1, { SubjectUserName: 'bob' }));
    e.push(input('proc', 2, { SubjectUserName: 'Alice' }));
    e.flush();
    assert.equal(alerts.length, 1);
    assert.deepEqual(alerts[0].group, { who: 'alice' });
  });

  it('a correlation over a correlation (chaining), referenced by name', () => {
    const inner = correlation(corrYaml('type: event_count\nrules: [fail]\ngroup-by: [User]\ntimespan: 10s\ncondition:\n  gte: 2', 'Inner', 'many_fails'));
    const outer = correlation(corrYaml('type: temporal\nrules: [many_fails, success]\ngroup-by: [User]\ntimespan: 1m', 'Outer', 'brute_then_login'));
    const { e, alerts } = engine([inner, outer]);
    e.push(input('fail', 0, { User: 'u' }));
    e.push(input('fail', 1, { User: 'u' }));
    e.push(input('success', 20, { User: 'u' }));
    e.flush();
    // The inner correlation is referenced without generate: it stays quiet; the outer fires.
    assert.deepEqual(alerts.map((a) => a.correlation.meta.title), ['Outer']);
    assert.deepEqual(alerts[0].group, { User: 'u' });
  });

  it('rules referenced without generate are silent; with generate: true they are not', () => {
    const quiet = correlation(corrYaml('type: event_count\nrules: [r1]\ntimespan: 1m\ncondition:\n  gte: 9'));
    const loud = correlation(corrYaml('type: event_count\nrules: [r2]\ntimespan: 1m\ngenerate: true\ncondition:\n  gte: 9'));
    const { e } = engine([quiet, loud]);
    assert.equal(e.isSilent(['r1']), true);
    assert.equal(e.isSilent(['r2']), false);
    assert.equal(e.isSilent(['unrelated']), false);
  });
});

describe('streaming: order, tolerance, bounded state', () => {
  const c = correlation(corrYaml('type: temporal_ordered\nrules: [a, b]\ngroup-by: [Computer]\ntimespan: 10s'));

  it('out-of-order input within the tolerance is put back in order', () => {
    const { e, alerts } = engine([c], { toleranceMs: 5000 });
    e.push(input('b', 3, { Computer: 'h' })); // arrives first, happened second
    e.push(input('a', 1, { Computer: 'h' }));
    e.push(input('x', 30, { Computer: 'h' })); // advances time past the tolerance
    assert.equal(alerts.length, 1, 'fired before flush, once the watermark passed');
    assert.equal(e.stats.late, 0);
  });

  it('input later than the tolerance is counted as late', () => {
    const { e, alerts } = engine([c], { toleranceMs: 1000 });
    e.push(input('b', 10, { Computer: 'h' }));
    e.push(input('x', 20, { Computer: 'h' }));
    e.push(input('a', 5, { Computer: 'h' }));
    e.flush();
    assert.equal(e.stats.late, 1);
    assert.equal(alerts.length, 0, 'a came too late to precede b');
  });

  it('state stays bounded: at most maxGroups groups, evictions counted, expired groups swept', () => {
    const count = correlation(corrYaml('type: value_count\nrules: [x]\ngroup-by: [Key]\ntimespan: 10s\ncondition:\n  field: V\n  gte: 1000'));
    const { e } = engine([count], { toleranceMs: 0, maxGroups: 1000 });
    for (let i = 0; i < 100_000; i++) e.push(input('x', i / 1000, { Key: `k${i}`, V: i }));
    assert.ok(e.groupCount <= 1000, `groups held: ${e.groupCount}`);
    assert.ok(e.stats.evictedGroups > 90_000);
    // Time moves on far past the timespan: the sweep empties the expired groups.
    for (let i = 0; i < 5000; i++) e.push(input('x', 1000 + i, { Key: 'same', V: i % 3 }));
    assert.ok(e.groupCount <= 2, `groups held after the sweep: ${e.groupCount}`);
  });

  it('matches without an event time are counted, not placed', () => {
    const { e, alerts } = engine([c]);
    e.push({ ...input('a', 0), time: NaN });
    e.flush();
    assert.equal(e.stats.untimed, 1);
    assert.equal(alerts.length, 0);
  });
});

describe('reorder buffer bound', () => {
  it('holds at most maxBuffered matches; the oldest are processed early and counted', () => {
    const c = correlation(corrYaml('type: event_count\nrules: [x]\ntimespan: 1h\ncondition:\n  gte: 1000000'));
    const { e } = engine([c], { maxBuffered: 100 });
    for (let i = 0; i < 1000; i++) e.push(input('x', 1000 - i)); // arriving newest first: nothing passes the watermark
    assert.equal(e.stats.forcedOut, 900);
    e.flush();
    assert.equal(e.stats.inputs, 1000);
  });
});
