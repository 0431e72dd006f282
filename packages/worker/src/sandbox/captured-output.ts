/**
 * Host-side record of what the current step printed.
 *
 * The isolate buffers printed text and sends it here in chunks as the step runs, so that when the
 * watchdog kills a step, what it printed before is still reported. The isolate already applies
 * the cap; we apply it again because nothing coming out of the sandbox is trusted.
 */
export class CapturedOutput {
  readonly #cap: number;
  #chunks: string[] = [];
  #keptChars = 0;
  #totalChars = 0;
  #partialAnswer: string | undefined;
  #step = 0;

  constructor(cap: number) {
    this.#cap = cap;
  }

  /** Starts recording `step`; messages tagged with any other step are dropped from now on. */
  reset(step: number): void {
    this.#step = step;
    this.#chunks = [];
    this.#keptChars = 0;
    this.#totalChars = 0;
  }

  /** `totalChars` is the isolate's running count of everything printed, kept or not. */
  append(text: unknown, totalChars: unknown, partialAnswer: unknown, step: unknown): void {
    if (step !== this.#step) return;
    if (typeof partialAnswer === 'string') this.#partialAnswer = partialAnswer;
    if (typeof text === 'string' && text !== '') {
      const piece = text.slice(0, Math.max(0, this.#cap - this.#keptChars));
      this.#chunks.push(piece);
      this.#keptChars += piece.length;
    }
    if (typeof totalChars === 'number') this.#totalChars = Math.max(this.#totalChars, totalChars);
  }

  /** The latest `answer.content` the isolate reported (stringified), kept across steps. */
  get partialAnswer(): string | undefined {
    return this.#partialAnswer;
  }

  get text(): string {
    return this.#chunks.join('');
  }

  get totalChars(): number {
    return Math.max(this.#totalChars, this.#keptChars);
  }
}
