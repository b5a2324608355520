/**
 * Lines a syslog sink could not deliver: counted, and reported on the first line that gets
 * through afterwards ("[3 earlier log lines lost: ...]"), so a gap in the log is never silent.
 * One mechanism for every sink: the local socket, UDP and TCP.
 */
export class LostLines {
  private lost = 0;

  constructor(private readonly why: string) {}

  /** The text to send, and the count it reports (0 when nothing was lost). */
  annotate(text: string): { readonly body: string; readonly reported: number } {
    const reported = this.lost;
    return { body: reported > 0 ? `${text} [${reported} earlier log lines lost: ${this.why}]` : text, reported };
  }

  /** The line went out: the lines it reported are accounted for. */
  delivered(reported: number): void {
    this.lost = Math.max(0, this.lost - reported);
  }

  /** The line was lost (and so were the ones it would have reported, which stay counted). */
  failed(): void {
    this.lost += 1;
  }

  get count(): number {
    return this.lost;
  }
}
