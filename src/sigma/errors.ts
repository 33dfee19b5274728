/** A problem with one rule, reported with the file and rule it belongs to. */
export class SigmaError extends Error {
  constructor(
    message: string,
    readonly where: { file?: string; rule?: string; path?: string } = {},
  ) {
    super(message);
    this.name = 'SigmaError';
  }

  /** "file: rule 'title': message" — the form lint and hunt print. */
  describe(): string {
    const parts: string[] = [];
    if (this.where.file) parts.push(this.where.file);
    if (this.where.rule) parts.push(`rule '${this.where.rule}'`);
    if (this.where.path) parts.push(this.where.path);
    return parts.length ? `${parts.join(': ')}: ${this.message}` : this.message;
  }
}
