/** A structural problem in EVTX data; `offset` is relative to the buffer being decoded (chunk or file). */
export class EvtxFormatError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
  }
}

/** A limit (nesting depth, node budget) was hit: says nothing about the bytes themselves, so never cached. */
export class EvtxLimitError extends EvtxFormatError {}

/** A record's template definition is damaged or absent (and no copy of it is known yet). */
export class EvtxMissingTemplate extends EvtxFormatError {
  constructor(message: string, offset: number, readonly templateId: number) {
    super(message, offset);
  }
}

export function hex(n: number): string {
  return '0x' + n.toString(16);
}
