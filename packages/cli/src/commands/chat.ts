/**
 * `rlm chat --context FILE [engine flags]`: follow-up questions over one context in a terminal.
 * One conversation (`rlm.conversation`) for the whole chat: the REPL and its variables stay
 * between questions; each question has the whole budget of the flags.
 */
import { RLM } from '@rlm/sdk';
import type { RlmResult } from '@rlm/sdk';
import { describeContext, loadConfig } from '@rlm/shared';
import { runChatLoop } from '../chat/chat-loop.ts';
import { readContextSource } from '../context-source.ts';
import { ENGINE_FLAG_OPTIONS, engineOverrides } from '../engine-flags.ts';
import { outcomeLine } from '../run-outcome.ts';
import { summaryLine } from '../summary-line.ts';
import { createVerbosePrinter } from '../verbose-printer.ts';
import type { CommandIo } from '../command-io.ts';
import { parseFlags } from '../strict-flags.ts';
import { usageError } from '../usage-error.ts';

export const CHAT_USAGE = `rlm chat --context FILE [--model M] [--sub-model M] [--base-url URL] [--api-key KEY]
        [--max-depth N] [--max-iterations N] [--max-tokens N] [--max-cost USD] [--timeout SEC]
        [--step-timeout SEC] [--concurrency N] [--redis URL | --redis-cluster H:P,...] [--prefix P]
        [--price IN,OUT] [--record-content] [--log-level L] [--repl js|python] [--verbose]
  Asks follow-up questions over one context at a prompt: the REPL keeps its variables between
  questions, and the model sees the earlier questions and answers (the REPL variable \`history\`).
  Budgets and --timeout apply to each question. Each answer is printed with its cost line.
  Keys: Enter asks, Up/Down recall earlier lines, Ctrl-C cancels the running question (at an
  empty prompt, twice in a row quits), Ctrl-D quits. Piped input: one question per line.`;

export async function chatCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values } = parseFlags({
    args: [...argv],
    options: {
      ...ENGINE_FLAG_OPTIONS,
      context: { type: 'string' },
      verbose: { type: 'boolean', default: false },
      prefix: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.context === undefined) throw usageError('--context is required (a file path)');
  if (values.context === '-') throw usageError('--context - is not possible here: standard input is the prompt');
  if (io.interactive === undefined) throw usageError('rlm chat needs a terminal or piped standard input');
  const overrides = engineOverrides(values);
  const env = io.env;
  const { maxContextChars } = loadConfig({ env, overrides });
  const context = await readContextSource(values.context, { flag: 'context', maxChars: maxContextChars, stdin: () => io.stdin() });
  const rlm = new RLM({ ...overrides, env, ...(values.prefix === undefined ? {} : { redisPrefix: values.prefix }) });
  const verbose = values.verbose ? createVerbosePrinter((line) => io.stderr(line)) : undefined;
  const conversation = rlm.conversation(context, verbose === undefined ? {} : { onEvent: verbose });
  const { input, output, terminal } = io.interactive;
  const metadata = describeContext(context);
  io.stderr(
    `rlm chat: ${metadata.type}, ${metadata.totalChars.toLocaleString('en-US')} characters from ${values.context}. Ask a question and press Enter; Ctrl-C cancels a running question, Ctrl-D quits.`,
  );
  try {
    await runChatLoop({
      input,
      output,
      terminal,
      ask: (question, signal) => conversation.ask(question, { signal }),
      report: (result) => report(result, io),
      note: (line) => io.stderr(line),
      onInterrupt: (handler) => io.onInterrupt(handler),
    });
  } finally {
    await conversation.close();
    await rlm.close();
  }
  return 0;
}

function report(result: RlmResult, io: CommandIo): void {
  if (result.answer !== '') io.stdout(result.answer);
  const outcome = outcomeLine(result);
  if (outcome !== undefined) io.stderr(`rlm: ${outcome}`);
  io.stderr(summaryLine(result));
}
