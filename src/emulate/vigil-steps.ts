/**
 * Vigil's own T1049 steps, beyond Atomic Red Team's: the ways to list
 * connections that a rule on tool names alone would miss, and the session
 * listings ATT&CK names. All read-only; the files they need live in the
 * run's work folder, removed afterwards.
 *
 *   vigil-procnet-script  a shell script parses /proc/net/tcp itself: no
 *                         listing tool runs (→ the /proc/net read rule)
 *   vigil-renamed-ss      a copy of ss under another name: its execve shows
 *                         no "ss" (→ the NETLINK_SOCK_DIAG socket rule)
 *   vigil-lsof, vigil-who-a, vigil-w
 */
import { accessSync, chmodSync, constants, copyFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { PlannedStep } from './plan.js';

const PROC_NET_SCRIPT = `# Vigil emulation (T1049): count TCP sockets by reading the kernel's table
# with shell built-ins only, as a script avoiding netstat/ss would.
n=0
while IFS= read -r line; do n=$((n + 1)); done < /proc/net/tcp
echo "$((n - 1)) TCP sockets"
`;

export function vigilSteps(technique: string, work: string): PlannedStep[] {
  if (technique !== 'T1049') return [];
  const base = { source: 'vigil' as const, platforms: ['linux'], executor: 'sh', applicable: true, unknownInputs: [] };
  const need = (tool: string): PlannedStep['prereqs'] => [{
    description: `${tool} is installed`, command: `command -v ${tool} >/dev/null 2>&1`, executor: 'sh',
  }];
  const script = join(work, 'list-connections.sh');
  const renamed = join(work, 'netinfo');
  return [
    {
      ...base, id: 'vigil-procnet-script', name: 'A shell script reads /proc/net/tcp itself (no listing tool)',
      command: `sh ${script}`, prereqs: [],
      setup: () => {
        writeFileSync(script, PROC_NET_SCRIPT, { mode: 0o644 });
        return undefined;
      },
    },
    {
      ...base, id: 'vigil-renamed-ss', name: 'A renamed copy of ss lists TCP sockets',
      command: `${renamed} -tan`, prereqs: need('ss'),
      setup: () => {
        const ss = onPath('ss');
        if (!ss) return 'ss not found on PATH';
        copyFileSync(ss, renamed);
        chmodSync(renamed, 0o755);
        return undefined;
      },
    },
    { ...base, id: 'vigil-lsof', name: 'lsof lists network files', command: 'lsof -i', prereqs: need('lsof') },
    { ...base, id: 'vigil-who-a', name: 'who -a lists sessions', command: 'who -a', prereqs: need('who') },
    { ...base, id: 'vigil-w', name: 'w lists logged-on users and what they run', command: 'w', prereqs: need('w') },
  ];
}

/** The first executable `name` on PATH. */
export function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch { /* next */ }
  }
  return undefined;
}
