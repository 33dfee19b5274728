/**
 * Linux, macOS and FreeBSD data sources. Events are recognized as the
 * non-Windows normalizers emit them: product linux / macos / freebsd;
 * auditd events with service auditd, a successful execve as category
 * process_creation (every other syscall has no category), PATH names in
 * `name`, the directory in `cwd`, the audit rule's key in `key`, SYSCALL
 * registers as logged (hex text, LAUREL with 0x). auditd rule syntax follows
 * auditctl(8) and the keys the pack's rules know are those of
 * rules/auditd/vigil-t1049.rules; FreeBSD settings follow audit_control(5)
 * (the `ex` class, the `argv` policy).
 */
import type { FlatEvent } from '../normalize/flat-event.js';
import { fromLog, hasValue, textValues, type DataSource } from './data-source.js';

const VIGIL_AUDIT_RULES = 'rules/auditd/vigil-t1049.rules';
const EXECVE_RULES = '-a always,exit -F arch=b64 -S execve,execveat -k vigil_t1049_exec (and arch=b32)';
const PROC_NET_WATCHES = '-w /proc/net/tcp -p r -k vigil_t1049_procnet, and the same for /proc/net/tcp6, /proc/net/udp, /proc/net/udp6';
const SOCK_DIAG_RULES = '-a always,exit -F arch=b64 -S socket -F a0=16 -F a2=4 -k vigil_t1049_sockdiag (and arch=b32)';

/** The socket tables T1049 scripts read: /proc/net/{tcp,tcp6,udp,udp6}, also through /proc/self or /proc/PID. */
const PROC_NET_TABLE = /^\/proc\/(?:(?:self|thread-self|\d+)\/)?net\/(?:tcp|tcp6|udp|udp6)$/;
const PROC_NET_DIR = /^\/proc\/(?:(?:self|thread-self|\d+)\/)?net$/;
const TABLE_NAMES = new Set(['tcp', 'tcp6', 'udp', 'udp6']);

function isAuditd(ev: FlatEvent): boolean {
  return ev.logsource.product === 'linux' && ev.logsource.service === 'auditd';
}

/** Any access the /proc/net watch logged: by its key, or a path (absolute, or relative to /proc/net after a cd). */
function readsProcNetTable(ev: FlatEvent): boolean {
  if (!isAuditd(ev)) return false;
  if (textValues(ev, 'key').includes('vigil_t1049_procnet')) return true;
  const names = textValues(ev, 'name');
  if (names.some((p) => PROC_NET_TABLE.test(p))) return true;
  return names.some((p) => TABLE_NAMES.has(p)) && textValues(ev, 'cwd').some((d) => PROC_NET_DIR.test(d));
}

/** socket(AF_NETLINK = 16, any, NETLINK_SOCK_DIAG = 4): registers are hex text (10, or 0x10 from LAUREL). */
function opensSockDiag(ev: FlatEvent): boolean {
  if (!isAuditd(ev)) return false;
  if (textValues(ev, 'key').includes('vigil_t1049_sockdiag')) return true;
  const is = (field: string, hex: string): boolean => textValues(ev, field).some((v) => v.toLowerCase().replace(/^0x/, '') === hex);
  return textValues(ev, 'syscall').includes('socket') && is('a0', '10') && is('a2', '4');
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
    logsource: { product: 'linux', service: 'auditd', categories: ['process_creation'], imagePaths: 'unix' },
    // Rules on other syscalls (socket, openat) have service auditd and no category: they do not read execve.
    ruleMentions: ['execve'],
    fix: `install auditd and load execve rules (${EXECVE_RULES}; all of the pack's audit rules: ${VIGIL_AUDIT_RULES}) into /etc/audit/rules.d/, then augenrules --load`,
    hints: [{
      seen: fromLog('linux', 'auditd'),
      fix: `auditd runs but logs no execve: add ${EXECVE_RULES} to /etc/audit/rules.d/ (or all of ${VIGIL_AUDIT_RULES}), then augenrules --load`,
    }],
    checks: commandLineCheck('execve events arrive without their EXECVE records (arguments): remove any "-a never,exclude -F msgtype=EXECVE" rule and check that the log shipper keeps every record of an event'),
  },
  {
    id: 'linux/auditd-proc-net-watch',
    title: 'auditd watch on /proc/net/tcp, tcp6, udp, udp6',
    // The auditd normalizer gives an open syscall no category: the slice is named by the path or the watch key.
    logsource: { product: 'linux', service: 'auditd' },
    recognize: readsProcNetTable,
    ruleMentions: ['/proc/net/', 'vigil_t1049_procnet'],
    why: 'scripts and renamed binaries that read the socket tables directly (the ADS: custom scripts using /proc/net/tcp) are visible only through a file watch',
    note: 'a watch sees the host\'s network namespace only: a container reading its own /proc/net/tcp opens another inode and is not logged',
    fix: `add read watches: ${PROC_NET_WATCHES} (auditctl, or /etc/audit/rules.d/; all of the pack's audit rules: ${VIGIL_AUDIT_RULES})`,
    hints: [{
      seen: fromLog('linux', 'auditd'),
      fix: `auditd runs but no read of /proc/net/tcp* was logged: add ${PROC_NET_WATCHES}; if the watches exist, nothing read the tables in this period`,
    }],
  },
  {
    id: 'linux/auditd-sockdiag',
    title: 'auditd socket(AF_NETLINK, NETLINK_SOCK_DIAG) calls',
    logsource: { product: 'linux', service: 'auditd' },
    recognize: opensSockDiag,
    ruleMentions: ['vigil_t1049_sockdiag', 'sock_diag', 'sockdiag'],
    why: 'ss lists sockets over netlink and reads no /proc/net file: a renamed ss shows only as this socket call',
    fix: `add ${SOCK_DIAG_RULES} (auditctl, or /etc/audit/rules.d/; all of the pack's audit rules: ${VIGIL_AUDIT_RULES})`,
    hints: [{
      seen: fromLog('linux', 'auditd'),
      fix: `auditd runs but no NETLINK_SOCK_DIAG socket was logged: add ${SOCK_DIAG_RULES}; if the rule exists, nothing (not even ss) listed sockets in this period`,
    }],
  },
  {
    id: 'macos/process-creation',
    title: 'macOS process execution',
    logsource: { product: 'macos', categories: ['process_creation'], imagePaths: 'unix' },
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
    logsource: { product: 'freebsd', categories: ['process_creation'], imagePaths: 'unix' },
    fix: 'enable auditing (auditd_enable="YES" in /etc/rc.conf) with the ex class in the flags line of /etc/security/audit_control (e.g. flags:lo,aa,ex), and export trails with praudit -x',
    hints: [{
      seen: fromLog('freebsd'),
      fix: 'the audit trail is collected but holds no exec records: add the ex class to flags: in /etc/security/audit_control, then audit -s',
    }],
    checks: commandLineCheck('add argv to the policy: line of /etc/security/audit_control (e.g. policy:cnt,argv), then audit -s'),
  },
];
