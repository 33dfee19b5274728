/**
 * The JSON text of an event handed over value by value, each as
 * JSON.stringify would write it, without the text ever being built. A reader
 * of a binary format (EVTX) passes its values straight from its buffers to
 * whatever reads text (the prefilter's needle scan).
 */
export interface JsonTextSink {
  /** A JSON string whose characters are the UTF-16LE text in buf[start, end). */
  utf16String(buf: Uint8Array, start: number, end: number): void;
  /** A JSON string. */
  string(s: string): void;
  /**
   * JSON strings that recur as they are in many events (a template's literal
   * text): the same array object each time, so the reader may remember what
   * it found in them.
   */
  constants(texts: readonly string[]): void;
  /** Text written as it is: a number, true, false, null, or punctuation. */
  literal(s: string): void;
  /**
   * Whether the reader needs values whose text uses only these characters
   * (quotes aside): false lets the writer skip formatting them.
   */
  wants(alphabet: string): boolean;
}
