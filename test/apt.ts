/**
 * Installs Debian packages a test needs (CI runs `npm test` as root on a
 * fresh machine). Test files run in parallel, so two installs may meet: each
 * waits for dpkg's lock instead of failing on it.
 */
import { spawnSync } from 'node:child_process';

const LOCK_WAIT = ['-o', 'DPkg::Lock::Timeout=600'];

/** True when every package installed (after an `apt-get update` if the first try fails). */
export function aptInstall(packages: readonly string[]): boolean {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const run = (args: string[]): boolean => spawnSync('apt-get', [...LOCK_WAIT, ...args], { stdio: 'ignore', env, timeout: 600_000 }).status === 0;
  const install = (): boolean => run(['install', '-y', '--no-install-recommends', ...packages]);
  if (install()) return true;
  run(['update']);
  return install();
}
