/**
 * Audit architecture codes (the `arch=` of a SYSCALL record: the kernel's
 * AUDIT_ARCH_* value, an ELF machine number with 64-bit/little-endian flags)
 * and the syscall names behind their numbers.
 *
 * RAW logs carry only the numbers; ENRICHED logs add `ARCH=x86_64
 * SYSCALL=execve`. A syscall number means nothing without its arch
 * (59 is execve on x86_64, 11 on i386, 221 on aarch64).
 */
import { AARCH64_SYSCALLS, I386_SYSCALLS, X86_64_SYSCALLS } from './syscall-table.js';

/** AUDIT_ARCH_* (hex, lower-case, no 0x) → the name ENRICHED logs print. */
const ARCH_NAMES: ReadonlyMap<string, string> = new Map([
  ['c000003e', 'x86_64'],
  ['40000003', 'i386'],
  ['c00000b7', 'aarch64'],
  ['40000028', 'armeb'],
  ['c0000015', 'ppc64le'],
  ['80000015', 'ppc64'],
  ['80000016', 's390x'],
  ['c00000f3', 'riscv64'],
]);

const TABLES: ReadonlyMap<string, string> = new Map([
  ['x86_64', X86_64_SYSCALLS],
  ['i386', I386_SYSCALLS],
  ['aarch64', AARCH64_SYSCALLS],
]);

const parsed = new Map<string, ReadonlyMap<number, string>>();

function table(arch: string): ReadonlyMap<number, string> | undefined {
  let t = parsed.get(arch);
  if (t === undefined) {
    const packed = TABLES.get(arch);
    if (packed === undefined) return undefined;
    const m = new Map<number, string>();
    for (const pair of packed.split(',')) {
      const sp = pair.indexOf(' ');
      m.set(Number(pair.slice(0, sp)), pair.slice(sp + 1));
    }
    t = m;
    parsed.set(arch, t);
  }
  return t;
}

/** `c000003e`, `0xc000003e` or an already-named arch (`x86_64`) → the arch name, if known. */
export function archName(arch: unknown): string | undefined {
  if (typeof arch !== 'string' && typeof arch !== 'number') return undefined;
  const text = String(arch).toLowerCase();
  if (TABLES.has(text) || [...ARCH_NAMES.values()].includes(text)) return text;
  const hex = text.startsWith('0x') ? text.slice(2) : text;
  return ARCH_NAMES.get(hex.padStart(8, '0'));
}

/** The syscall's name on that arch, or undefined when the arch or number is unknown. */
export function syscallName(arch: string | undefined, nr: unknown): string | undefined {
  if (arch === undefined) return undefined;
  const n = typeof nr === 'number' ? nr : typeof nr === 'string' && /^\d{1,4}$/.test(nr) ? Number(nr) : NaN;
  if (!Number.isInteger(n)) return undefined;
  return table(arch)?.get(n);
}
