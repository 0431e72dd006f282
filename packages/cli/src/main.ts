/**
 * The `rlm` command. Composition root of the CLI: parses the command line,
 * runs one command, maps failures to exit codes (2 = bad input, 1 = failure).
 */
import { isRlmError } from '@rlm/shared';
import { processIo } from './command-io.ts';
import type { CommandIo } from './command-io.ts';
import { BATCH_USAGE, batchCommand } from './commands/batch.ts';
import { CHAT_USAGE, chatCommand } from './commands/chat.ts';
import { DEMO_USAGE, demoCommand } from './commands/demo.ts';
import { EVAL_USAGE, evalCommand } from './commands/eval.ts';
import { RUN_USAGE, runCommand } from './commands/run.ts';
import { CLUSTER_USAGE, clusterCommand } from './commands/cluster-process.ts';
import { SERVE_USAGE, serveCommand } from './commands/serve.ts';
import { SIM_USAGE, simCommand } from './commands/sim.ts';
import { TRACE_USAGE, traceCommand } from './commands/trace.ts';
import { cliVersion, VERSION_FLAGS } from './version.ts';

const USAGE = `usage: rlm <command> [flags]

commands:
  run     answer a query over a long context
          ${RUN_USAGE.replaceAll('\n', '\n          ')}
  chat    follow-up questions over one context at a terminal prompt
          ${CHAT_USAGE.replaceAll('\n', '\n          ')}
  batch   ${BATCH_USAGE.replaceAll('\n', '\n          ')}
  demo    ${DEMO_USAGE.replaceAll('\n', '\n          ')}
  serve   ${SERVE_USAGE.replaceAll('\n', '\n          ')}
  eval    ${EVAL_USAGE.replaceAll('\n', '\n          ')}
  sim     ${SIM_USAGE.replaceAll('\n', '\n          ')}
  trace   ${TRACE_USAGE.replaceAll('\n', '\n          ')}
  worker, orchestrator
          ${CLUSTER_USAGE.replaceAll('\n', '\n          ')}

environment: OPENAI_API_KEY, OPENAI_BASE_URL, RLM_MODEL, RLM_SUB_MODEL, REDIS_URL (flags win)
exit codes: 0 final answer, 3 partial (budget, turn limit, timeout), 1 failed, 2 bad input
rlm <command> --help prints that command's usage.`;

type Command = (argv: readonly string[], io: CommandIo) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  run: runCommand,
  chat: chatCommand,
  batch: batchCommand,
  demo: demoCommand,
  serve: serveCommand,
  sim: simCommand,
  trace: traceCommand,
  eval: evalCommand,
  worker: clusterCommand('worker'),
  orchestrator: clusterCommand('orchestrator'),
};

/** What `rlm <command> --help` prints. */
const COMMAND_USAGE: Record<string, string> = {
  run: RUN_USAGE,
  chat: CHAT_USAGE,
  batch: BATCH_USAGE,
  demo: DEMO_USAGE,
  serve: SERVE_USAGE,
  sim: SIM_USAGE,
  trace: TRACE_USAGE,
  eval: EVAL_USAGE,
  worker: CLUSTER_USAGE,
  orchestrator: CLUSTER_USAGE,
};

/** The commands `rlm` knows; deployment files are checked against this list. */
export const COMMAND_NAMES: readonly string[] = Object.keys(COMMANDS);

export async function main(argv: readonly string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name !== undefined && VERSION_FLAGS.includes(name)) {
    io.stdout(cliVersion());
    return 0;
  }
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.stdout(USAGE);
    return name === undefined ? 2 : 0;
  }
  // Own keys only: `rlm toString` is an unknown command, not Object.prototype.toString.
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) {
    io.stderr(`rlm: unknown command "${name}" (try: ${COMMAND_NAMES.join(', ')})`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(usageOf(name));
    return 0;
  }
  try {
    return await command(rest, io);
  } catch (error) {
    return reportFailure(error, io);
  }
}

function usageOf(name: string): string {
  const usage = COMMAND_USAGE[name] ?? USAGE;
  return usage.startsWith('rlm ') ? `usage: ${usage}` : `usage: rlm ${name} ${usage}`;
}

function reportFailure(error: unknown, io: CommandIo): number {
  if (isRlmError(error) && error.code === 'config_invalid') {
    for (const line of error.message.split('\n')) io.stderr(`rlm: ${line}`);
    return 2;
  }
  // parseArgs reports unknown flags and missing values with these codes.
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
    io.stderr(`rlm: ${(error as Error).message.replaceAll('\n', ' ')}`);
    return 2;
  }
  io.stderr(`rlm: ${error instanceof Error ? error.message : String(error)}`);
  return 1;
}

if (import.meta.main) {
  const io = processIo();
  process.exitCode = await main(process.argv.slice(2), io);
}
