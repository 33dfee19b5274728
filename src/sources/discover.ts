/** Files and folders on the command line → the log files to read, recursively, sorted. */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface InputFile {
  path: string;
  size: number;
  /** Named on the command line (rather than found in a folder). */
  explicit: boolean;
}

export function discoverFiles(paths: readonly string[], onError: (path: string, message: string) => void): InputFile[] {
  const out: InputFile[] = [];
  const visit = (p: string, explicit: boolean): void => {
    let st;
    try {
      st = statSync(p);
    } catch (e) {
      onError(p, `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      return;
    }
    if (st.isDirectory()) {
      let names: string[];
      try {
        names = readdirSync(p).sort();
      } catch (e) {
        onError(p, `cannot list folder: ${(e as Error).message}`);
        return;
      }
      for (const name of names) visit(join(p, name), false);
    } else if (st.isFile()) {
      out.push({ path: p, size: st.size, explicit });
    }
  };
  for (const p of paths) visit(p, true);
  return out;
}
