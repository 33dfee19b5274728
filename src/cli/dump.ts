/** `vigil dump FILE.evtx...`: decode EVTX files to JSON lines (the evtx_dump JSON shape). */
import { closeSync, openSync, readSync } from 'node:fs';
import { readEvtxFile } from '../sources/evtx/index.js';
import { terminalSafe } from '../sinks/terminal-safe.js';
import { safeJson } from '../sinks/json-safe.js';
import { parseArgs, UsageError } from './args.js';

export const DUMP_HELP = `vigil dump FILE.evtx... [options]

Decodes Windows EVTX files with Vigil's native reader and prints one JSON
object per record and line, in the shape of the Rust evtx crate's evtx_dump
JSON (the shape Vigil's rules and normalization read). Damaged files are read
as far as possible: every skipped chunk or record is reported on stderr with
the file and its byte offset.

  --quiet   no per-file summary on stderr

Exit status: 0 every file was read (possibly with reported damage),
1 some file could not be opened or is not EVTX, 2 usage error.
`;

export async function dumpCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { quiet: 'bool', help: 'bool' });
  if (args.flags.get('help')) {
    process.stdout.write(DUMP_HELP);
    return 0;
  }
  if (args.positional.length === 0) throw new UsageError('dump needs at least one .evtx file');
  const quiet = args.flags.get('quiet') === true;
  const out = new LineWriter(process.stdout);
  let status = 0;
  for (const file of args.positional) {
    const name = terminalSafe(file);
    const problem = notEvtx(file);
    if (problem) {
      process.stderr.write(`vigil dump: ${name}: ${terminalSafe(problem)}; skipped\n`);
      status = 1;
      continue;
    }
    const stats = await readEvtxFile(file, {
      record: (event) => out.line(safeJson(event)),
      // Every message names the file offset it concerns.
      error: (message) => process.stderr.write(`vigil dump: ${name}: ${terminalSafe(message)}\n`),
    }, { pause: () => out.flush() });
    await out.flush();
    if (out.closed) break;
    if (!quiet) process.stderr.write(`vigil dump: ${name}: ${stats.records} records, ${stats.chunks} chunks, ${stats.errors} problems\n`);
  }
  await out.end();
  return status;
}

/** Why `path` cannot be dumped, or undefined: it needs an EVTX file header or, failing that, a first chunk. */
function notEvtx(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    return `cannot open: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
  }
  try {
    const head = Buffer.alloc(4096 + 8);
    const n = readSync(fd, head, 0, head.length, 0);
    if (n >= 8 && head.toString('latin1', 0, 8) === 'ElfFile\0') return undefined;
    if (n >= 4096 + 8 && head.toString('latin1', 4096, 4104) === 'ElfChnk\0') return undefined;
    return 'not an EVTX file';
  } catch (e) {
    return `cannot read: ${(e as Error).message}`;
  } finally {
    closeSync(fd);
  }
}

/**
 * Batches lines and writes them with backpressure; stops quietly when the
 * reader of stdout goes away (`vigil dump x.evtx | head`). Characters that
 * could drive or disguise a terminal (C1 controls, bidi overrides) are written
 * as JSON \\u escapes, which leaves the JSON equivalent.
 */
class LineWriter {
  closed = false;
  private lines: string[] = [];
  private size = 0;

  constructor(private readonly stream: NodeJS.WriteStream) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      this.closed = true;
      if (e.code !== 'EPIPE') process.stderr.write(`vigil dump: output: ${e.message}\n`);
    });
  }

  line(json: string): void {
    if (this.closed) return;
    this.lines.push(UNSAFE.test(json) ? json.replace(UNSAFE_ALL, escapeChar) : json);
    this.size += json.length;
    if (this.size > 1 << 22) void this.flush();
  }

  /** Writes what is batched; resolves once the stream can take more. False when output is gone. */
  async flush(): Promise<boolean> {
    if (this.closed) return false;
    if (this.lines.length) {
      const text = this.lines.join('\n') + '\n';
      this.lines = [];
      this.size = 0;
      if (!this.stream.write(text)) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            this.stream.off('drain', done);
            this.stream.off('error', done);
            resolve();
          };
          this.stream.on('drain', done);
          this.stream.on('error', done);
        });
      }
    }
    return !this.closed;
  }

  async end(): Promise<void> {
    await this.flush();
    if (this.closed) return;
    await new Promise<void>((resolve) => this.stream.write('', () => resolve()));
  }
}

const UNSAFE = /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const UNSAFE_ALL = /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

function escapeChar(c: string): string {
  return '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0');
}
