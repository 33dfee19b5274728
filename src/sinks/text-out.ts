/** Where formatted alerts are written: stdout, or a file. */
import { createWriteStream } from 'node:fs';
import type { TextOut } from './sink.js';

export function textOut(path: string | undefined): TextOut {
  if (!path) {
    return {
      write: (t) => void process.stdout.write(t),
      end: () => new Promise((resolve) => process.stdout.write('', () => resolve())),
    };
  }
  const stream = createWriteStream(path);
  return {
    write: (t) => void stream.write(t),
    end: () => new Promise((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve()))),
  };
}
