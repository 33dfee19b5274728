/**
 * The Unix excessive-enumeration twin (rules/t1049/cross-platform/). No Unix
 * reader is merged yet, so the events are built directly in the normalized
 * shape the readers are to produce (constructed: logsource linux or macos
 * process_creation, Image, CommandLine, host.name, User, @timestamp) and fed
 * through the built-in pack's detector and correlation engine as `hunt` does.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Alert } from '../src/core/alert.js';
import { CorrelationEngine } from '../src/correlate/engine.js';
import type { CorrelationAlert } from '../src/correlate/types.js';
import { loadRules } from '../src/cli/rule-loading.js';
import { FlatEvent } from '../src/normalize/flat-event.js';
import { Hunt } from '../src/pipeline/hunt.js';

const TITLE = 'Excessive Discovery Enumeration by One Account on One Host (Linux, macOS, FreeBSD)';
const { detector } = loadRules([], true, new Map());

interface Exec { at: number; image: string; cmd: string; host?: string; user?: string; product?: string }

function run(execs: Exec[]): { alerts: CorrelationAlert[]; helperAlerts: string[] } {
  const alerts: CorrelationAlert[] = [];
  const helperAlerts: string[] = [];
  const corr = new CorrelationEngine(detector.correlations, { onAlert: (a) => alerts.push(a) });
  execs.forEach((x, i) => {
    const ev = new FlatEvent();
    ev.logsource = { product: x.product ?? 'linux', categories: ['process_creation'] };
    ev.put('Image', x.image);
    ev.put('CommandLine', x.cmd);
    ev.put('host.name', x.host ?? 'web01');
    ev.put('User', x.user ?? 'www-data');
    for (const r of detector.match(ev)) {
      if (!corr.wants(r.refs)) continue;
      const fields = new Map(corr.fieldsFor(r.refs).map((f) => [f.toLowerCase(), ev.get(f.toLowerCase())]));
      corr.push({ refs: r.refs, time: Date.UTC(2026, 10, 1, 12, 0, x.at), get: (f) => fields.get(f.toLowerCase()), source: { file: 'constructed', record: i + 1, rule: r.rule.meta.title } });
      if (!corr.isSilent(r.refs)) helperAlerts.push(r.rule.meta.title);
    }
  });
  corr.flush();
  return { alerts: alerts.filter((a) => a.correlation.meta.title === TITLE), helperAlerts };
}

describe('excessive enumeration on Unix (cross-platform twin)', () => {
  it('fires when one account on one host runs three different discovery commands within 10 minutes', () => {
    const { alerts } = run([
      { at: 0, image: '/usr/bin/id', cmd: 'id' },
      { at: 30, image: '/usr/bin/uname', cmd: 'uname -a' },
      { at: 95, image: '/usr/bin/ss', cmd: 'ss -antp' },
    ]);
    assert.equal(alerts.length, 1);
    assert.deepEqual(alerts[0].group, { 'host.name': 'web01', User: 'www-data' });
    assert.equal(alerts[0].value, 3);
    assert.equal(alerts[0].correlation.meta.level, 'medium');
    assert.ok(alerts[0].correlation.meta.tags.includes('attack.t1049'));
  });

  it('counts a command repeated as one, and needs the commands within the window, by one account on one host', () => {
    const repeated = run([0, 10, 20, 30].map((at) => ({ at, image: '/usr/bin/ps', cmd: 'ps aux' })));
    assert.equal(repeated.alerts.length, 0);
    const spread = run([
      { at: 0, image: '/usr/bin/id', cmd: 'id' },
      { at: 400, image: '/bin/uname', cmd: 'uname -a' },
      { at: 800, image: '/usr/bin/who', cmd: 'who -a' },
    ]);
    assert.equal(spread.alerts.length, 0, 'id and who are 800 s apart');
    const twoUsers = run([
      { at: 0, image: '/usr/bin/id', cmd: 'id', user: 'alice' },
      { at: 5, image: '/bin/uname', cmd: 'uname -a', user: 'bob' },
      { at: 9, image: '/usr/bin/who', cmd: 'who', user: 'alice' },
    ]);
    assert.equal(twoUsers.alerts.length, 0);
  });

  it('reads macOS and FreeBSD commands with the same helpers, and the helpers stay silent', () => {
    const { alerts, helperAlerts } = run([
      { at: 0, image: '/usr/sbin/lsof', cmd: 'lsof -i -P', product: 'macos', host: 'mbp', user: 'eve' },
      { at: 1, image: '/usr/bin/sw_vers', cmd: 'sw_vers', product: 'macos', host: 'mbp', user: 'eve' },
      { at: 2, image: '/usr/bin/dscl', cmd: 'dscl . list /Users', product: 'macos', host: 'mbp', user: 'eve' },
    ]);
    assert.equal(alerts.length, 1);
    assert.ok(!helperAlerts.some((t) => t.includes('(Unix, helper)')), helperAlerts.join(', '));
  });

  it('does not count look-alikes: lsof without -i, ip link set', () => {
    const { alerts } = run([
      { at: 0, image: '/usr/bin/lsof', cmd: 'lsof /var/log/syslog' },
      { at: 1, image: '/sbin/ip', cmd: 'ip link set eth0 up' },
      { at: 2, image: '/usr/bin/id', cmd: 'id' },
      { at: 3, image: '/bin/uname', cmd: 'uname -r' },
    ]);
    assert.equal(alerts.length, 0);
  });
});

describe('correlation alerts name the host and user of their group', () => {
  it('takes host.name and User from a Unix group, Computer from a Windows one', () => {
    const out: Alert[] = [];
    const hunt = new Hunt(detector, { onAlert: (a) => out.push(a), onError: () => undefined });
    const correlation = detector.correlations.find((c) => c.meta.title === TITLE)!;
    const base = { correlation, window: { start: 0, end: 1000 }, value: 3, events: [] };
    hunt.emitCorrelation({ ...base, group: { 'host.name': 'web01', User: 'www-data' } });
    hunt.emitCorrelation({ ...base, group: { Computer: 'WKS07', User: 'CORP\\jdoe' } });
    assert.deepEqual(out.map((a) => [a.host, a.user]), [['web01', 'www-data'], ['WKS07', 'CORP\\jdoe']]);
  });
});
