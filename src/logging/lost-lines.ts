/**
 * Lines a syslog sink could not deliver: counted, and reported on the first line that gets
 * through afterwards ("[3 earlier log lines lost: ...]"), so a gap in the log is never silent.
 * One mechanism for every sink: the local socket, UDP and TCP.
 */
export class LostLines {
  private lost = 0;

  constructor(private readonly why: string) {}

  /**
   * The text to send, and the count it reports (0 when nothing was lost). The count is taken
   * at once, so that lines sent while this one is in flight do not report it again.
   */
  annotate(text: string): { readonly body: string; readonly reported: number } {
    const reported = this.lost;
    this.lost = 0;
    return { body: reported > 0 ? `${text} [${reported} earlier log lines lost: ${this.why}]` : text, reported };
  }

  /** The line was lost: it counts, and so do the ones it would have reported. */
  failed(reported: number): void {
    this.lost += reported + 1;
  }

  get count(): number {
    return this.lost;
  }
}
