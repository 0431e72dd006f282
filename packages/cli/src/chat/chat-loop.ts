/**
 * The terminal side of `rlm chat`: a node:readline prompt (line editing and history when the input
 * is a terminal), one question at a time. Ctrl-C cancels the running question; at an empty prompt
 * with nothing running it says how to leave, and a second Ctrl-C in a row leaves; Ctrl-D ends.
 * Piped input works too: each line is a question, asked in order.
 */
import { createInterface } from 'node:readline';
import type { RlmResult } from '@rlm/sdk';

export interface ChatLoopOptions {
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream;
  /** Line editing, history and Ctrl-C as a key (the input is a terminal). */
  readonly terminal: boolean;
  /** Asks one question; aborting the signal cancels it. */
  ask(question: string, signal: AbortSignal): Promise<RlmResult>;
  /** Shows a question's result (the answer and its cost line). */
  report(result: RlmResult): void;
  /** One line on stderr (hints, errors). */
  note(line: string): void;
  /** SIGINT / SIGTERM when the input is not a terminal (then Ctrl-C is a signal, not a key); returns a detach function. */
  onInterrupt(handler: () => void): () => void;
}

const PROMPT = 'rlm> ';
const HISTORY_SIZE = 500;

export async function runChatLoop(options: ChatLoopOptions): Promise<void> {
  const { output, note } = options;
  const lines = createInterface({
    input: options.input,
    output,
    terminal: options.terminal,
    prompt: PROMPT,
    historySize: HISTORY_SIZE,
    removeHistoryDuplicates: true,
  });
  let running: AbortController | undefined;
  // Piped input ends (and readline closes) while earlier lines' questions still run: their
  // answers are still printed, but a closed interface refuses prompt() ("readline was closed").
  let closed = false;
  lines.once('close', () => {
    closed = true;
  });
  const prompt = (): void => {
    if (!closed) lines.prompt();
  };
  /** A Ctrl-C at an empty, idle prompt: the next one in a row ends the chat. */
  let armed = false;
  const interrupt = (): void => {
    if (running !== undefined) {
      running.abort();
      note('(cancelling the question...)');
      return;
    }
    if (lines.line.length > 0) {
      // Like a shell: drop the half-typed line and start a fresh prompt.
      lines.write(null, { ctrl: true, name: 'e' });
      lines.write(null, { ctrl: true, name: 'u' });
      output.write('^C\n');
      armed = false;
      prompt();
      return;
    }
    if (armed) {
      output.write('\n');
      lines.close();
      return;
    }
    armed = true;
    output.write('\n');
    note('(press Ctrl-C again or Ctrl-D to quit)');
    prompt();
  };
  lines.on('SIGINT', interrupt);
  // Process signals arrive once per listener: listen again after each one.
  let detach = (): void => {};
  const listen = (): void => {
    detach = options.onInterrupt(() => {
      listen();
      interrupt();
    });
  };
  listen();
  prompt();
  try {
    for await (const line of lines) {
      armed = false;
      const question = line.trim();
      if (question === '') {
        prompt();
        continue;
      }
      const controller = new AbortController();
      running = controller;
      try {
        options.report(await options.ask(question, controller.signal));
      } catch (error) {
        // A refused question (too long, a closed engine) is reported; the chat goes on.
        note(`rlm: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        running = undefined;
      }
      prompt();
    }
  } finally {
    detach();
    lines.close();
  }
}
