/** The process edges a command touches, injected so commands can be tested in-process. */
export interface CommandIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** True when stdout is a terminal (colour is then welcome). */
  readonly stdoutIsTerminal?: boolean;
  stdout(text: string): void;
  stderr(line: string): void;
  /** Set when stderr is a terminal: redrawable progress (carriage returns) goes here. */
  readonly terminal?: { write(text: string): void; readonly columns: number };
  /** Standard input as a byte stream (read it with a cap: it may be endless). */
  stdin(): AsyncIterable<Uint8Array>;
  /** The prompt's streams (`rlm chat`): a terminal (line editing) or piped lines. */
  readonly interactive?: {
    readonly input: NodeJS.ReadableStream;
    readonly output: NodeJS.WritableStream;
    readonly terminal: boolean;
  };
  /** Calls `handler` on SIGINT/SIGTERM; returns a function that detaches it. */
  onInterrupt(handler: () => void): () => void;
}

export function processIo(): CommandIo {
  return {
    env: process.env,
    stdoutIsTerminal: process.stdout.isTTY,
    stdout: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
    ...(process.stderr.isTTY
      ? { terminal: { write: (text: string) => process.stderr.write(text), columns: process.stderr.columns } }
      : {}),
    stdin: () => process.stdin,
    interactive: { input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY && process.stdout.isTTY },
    onInterrupt: (handler) => {
      process.once('SIGINT', handler);
      process.once('SIGTERM', handler);
      return () => {
        process.off('SIGINT', handler);
        process.off('SIGTERM', handler);
      };
    },
  };
}
