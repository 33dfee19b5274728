/**
 * A file's bytes in chunks, read one chunk ahead on libuv's thread while the
 * caller works on the current one, into two buffers used in turn:
 *
 *   read A ─▶ yield A (B being read) ─▶ yield B (A being read) ─▶ …
 *
 * A fresh buffer per chunk (what a read stream hands out) costs page faults
 * and garbage collection on every megabyte; these two are reused. So a chunk
 * is only valid until the caller asks for the next one: whatever it keeps
 * must be copied.
 */
import { open } from 'node:fs/promises';

export async function* readFileChunks(path: string, chunkSize: number): AsyncGenerator<Buffer> {
  const fh = await open(path, 'r');
  const buffers = [Buffer.allocUnsafeSlow(chunkSize), Buffer.allocUnsafeSlow(chunkSize)];
  let pending: Promise<{ bytesRead: number }> | undefined;
  try {
    let position = 0;
    let which = 0;
    pending = fh.read(buffers[0], 0, chunkSize, position);
    for (;;) {
      const { bytesRead } = await pending;
      pending = undefined;
      if (bytesRead === 0) return;
      const current = buffers[which];
      position += bytesRead;
      which ^= 1;
      pending = fh.read(buffers[which], 0, chunkSize, position);
      yield current.subarray(0, bytesRead);
    }
  } finally {
    // A caller that stops early leaves a read in flight: let it land before closing.
    await pending?.catch(() => undefined);
    await fh.close();
  }
}
