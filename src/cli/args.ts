/** A small, strict argument parser: unknown flags are errors, repeatable flags collect. */
export class UsageError extends Error {}

export interface FlagSpec {
  /** 'bool' takes no value; 'string' takes one; 'list' may repeat. */
  [name: string]: 'bool' | 'string' | 'list';
}

export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string | boolean | string[]>;
}

export function parseArgs(argv: readonly string[], spec: FlagSpec): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string | boolean | string[]>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('--') || a === '-') {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    const kind = spec[name];
    if (!kind) throw new UsageError(`unknown option --${name}`);
    if (kind === 'bool') {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      flags.set(name, true);
      continue;
    }
    let value: string;
    if (eq >= 0) value = a.slice(eq + 1);
    else {
      if (i + 1 >= argv.length) throw new UsageError(`--${name} needs a value`);
      value = argv[++i];
    }
    if (kind === 'list') {
      const prev = flags.get(name);
      flags.set(name, [...(Array.isArray(prev) ? prev : []), value]);
    } else {
      flags.set(name, value);
    }
  }
  return { positional, flags };
}

export function listFlag(p: ParsedArgs, name: string): string[] {
  const v = p.flags.get(name);
  return Array.isArray(v) ? v : [];
}

export function stringFlag(p: ParsedArgs, name: string): string | undefined {
  const v = p.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}
