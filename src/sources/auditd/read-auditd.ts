/** An auditd log file (a byte stream, gunzipped already if need be) → one sink.object per assembled event. */
import type { RecordSink } from '../records.js';
import { AuditdStream } from './stream.js';

export async function readAuditdLog(stream: AsyncIterable<Buffer>, sink: RecordSink): Promise<void> {
  const reader = new AuditdStream({
    event: (obj, line) => sink.object(obj, line),
    error: (message, line) => sink.error(message, line),
  });
  let consumed = 0;
  for await (const chunk of stream) {
    reader.write(chunk);
    consumed += chunk.length;
    sink.progress?.(consumed);
  }
  reader.end();
}
