/**
 * Linux, macOS and FreeBSD data sources. Events are recognized by the
 * contract the non-Windows normalizers follow: product linux / macos /
 * freebsd; auditd events with service auditd, execve as category
 * process_creation, PATH names in `name`. auditd rule syntax follows
 * auditctl(8); FreeBSD settings follow audit_control(5) (the `ex` class,
 * the `argv` policy).
 */
import type { FlatEvent } from '../normalize/flat-event.js';
import { fromLog, hasValue, textValues, type DataSource } from './data-source.js';

const EXECVE_RULES = '-a always,exit -F arch=b64 -S execve -k exec and -a always,exit -F arch=b32 -S execve -k exec';

/** The socket tables T1049 scripts read: /proc/net/{tcp,tcp6,udp,udp6}, also through /proc/self or /proc/PID. */
const PROC_NET_TABLE = /^\/proc\/(?:(?:self|thread-self|\d+)\/)?net\/(?:tcp|tcp6|udp|udp6)$/;

function readsProcNetTable(ev: FlatEvent): boolean {
  if (ev.logsource.product !== 'linux' || ev.logsource.service !== 'auditd') return false;
  return textValues(ev, 'name').some((p) => PROC_NET_TABLE.test(p));
}

const commandLineCheck = (fix: string): DataSource['checks'] => [{
  problem: 'process events carry no command line',
  fields: ['CommandLine'],
  fix,
  judge: (ev) => hasValue(ev, ['CommandLine']),
}];

export const UNIX_SOURCES: readonly DataSource[] = [
  {
    id: 'linux/auditd-execve',
    title: 'auditd execve (process creation)',
    logsource: { product: 'linux', service: 'auditd', categories: ['process_creation'] },
    fix: `install auditd and add execve rules to /etc/audit/rules.d/ (${EXECVE_RULES}), then augenrules --load`,
    hints: [{
      seen: fromLog('linux', 'auditd'),
      fix: `auditd runs but logs no execve: add ${EXECVE_RULES} to /etc/audit/rules.d/, then augenrules --load`,
    }],
    checks: commandLineCheck('execve events arrive without their EXECVE records (arguments): remove any "-a never,exclude -F msgtype=EXECVE" rule and check that the log shipper keeps every record of an event'),
  },
  {
    id: 'linux/auditd-proc-net-watch',
    title: 'auditd watch on /proc/net/tcp, tcp6, udp, udp6',
    logsource: { product: 'linux', service: 'auditd', categories: ['file_access', 'file_event'] },
    recognize: readsProcNetTable,
    ruleMentions: ['/proc/net/'],
    why: 'scripts and renamed binaries that read the socket tables directly (the ADS: custom scripts using /proc/net/tcp) are visible only through a file watch',
    fix: 'add read watches: -w /proc/net/tcp -p r -k proc_net, and the same for /proc/net/tcp6, /proc/net/udp, /proc/net/udp6 (auditctl, or /etc/audit/rules.d/)',
    hints: [{
      seen: fromLog('linux', 'auditd'),
      fix: 'auditd runs but no read of /proc/net/tcp* was logged: add -w /proc/net/tcp -p r -k proc_net (and tcp6, udp, udp6); if the watches exist, nothing read the tables in this period',
    }],
  },
  {
    id: 'macos/process-creation',
    title: 'macOS process execution',
    logsource: { product: 'macos', categories: ['process_creation'] },
    fix: 'collect process executions: Endpoint Security exec events (eslogger exec on macOS 13 and later) or an EDR that exports them (e.g. Elastic Endpoint)',
    hints: [{
      seen: fromLog('macos'),
      fix: 'events from this Mac are collected but none is a process execution: add exec events to the collection (eslogger exec, or the EDR\'s process events)',
    }],
    checks: commandLineCheck('the exporter drops process arguments: include the exec event\'s args (process.args)'),
  },
  {
    id: 'freebsd/process-creation',
    title: 'FreeBSD audit exec (process creation)',
    logsource: { product: 'freebsd', categories: ['process_creation'] },
    fix: 'enable auditing (auditd_enable="YES" in /etc/rc.conf) with the ex class in the flags line of /etc/security/audit_control (e.g. flags:lo,aa,ex), and export trails with praudit -x',
    hints: [{
      seen: fromLog('freebsd'),
      fix: 'the audit trail is collected but holds no exec records: add the ex class to flags: in /etc/security/audit_control, then audit -s',
    }],
    checks: commandLineCheck('add argv to the policy: line of /etc/security/audit_control (e.g. policy:cnt,argv), then audit -s'),
  },
];
