/**
 * `rlm sim`: the simulated OpenAI-compatible model server, until interrupted.
 */
import { parseFlags } from '../strict-flags.ts';
import { startSimServer } from '@rlm/sim';
import type { CommandIo } from '../command-io.ts';
import { numberFlag } from '../number-flag.ts';
import { usageError } from '../usage-error.ts';

export const SIM_USAGE = `rlm sim [--port P] [--host H] [--policy solver|scripted] [--strategy llm|rlm] [--latency-ms MS]
        [--per-token-ms MS] [--max-concurrency N] [--rpm N] [--error-rate R] [--label-error-rate R]
        [--subcall-error-rate R] [--program-error-rate R] [--slow-program-rate R] [--context-window TOKENS]
  run the simulated OpenAI-compatible model server (base URL http://127.0.0.1:P/v1); it answers
  any model name (it stands in for whatever model you configure) and lists sim-large, sim-small`;

export async function simCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values } = parseFlags({
    args: [...argv],
    options: {
      port: { type: 'string', default: '8089' },
      // Loopback by default; containers pass --host 0.0.0.0 so other services reach it.
      host: { type: 'string', default: '127.0.0.1' },
      policy: { type: 'string', default: 'solver' },
      strategy: { type: 'string', default: 'llm' },
      'latency-ms': { type: 'string', default: '0' },
      'per-token-ms': { type: 'string', default: '0' },
      'max-concurrency': { type: 'string' },
      rpm: { type: 'string' },
      'error-rate': { type: 'string', default: '0' },
      'label-error-rate': { type: 'string', default: '0' },
      'subcall-error-rate': { type: 'string', default: '0' },
      'program-error-rate': { type: 'string', default: '0' },
      'slow-program-rate': { type: 'string', default: '0' },
      'context-window': { type: 'string', default: '1000000' },
    },
    strict: true,
  });
  const number = (flag: keyof typeof values, min: number, max?: number): number =>
    numberFlag(flag, values[flag], { min, ...(max === undefined ? {} : { max }) });
  const policy = values.policy;
  if (policy !== 'solver' && policy !== 'scripted') throw usageError(`--policy: expected solver or scripted, got "${policy}"`);
  const strategy = values.strategy;
  if (strategy !== 'llm' && strategy !== 'rlm') throw usageError(`--strategy: expected llm or rlm, got "${strategy}"`);
  const server = await startSimServer({
    port: number('port', 0, 65_535),
    host: values.host,
    policy:
      policy === 'solver'
        ? {
            type: 'solver',
            strategy,
            labelErrorRate: number('label-error-rate', 0, 1),
            subcallErrorRate: number('subcall-error-rate', 0, 1),
            programErrorRate: number('program-error-rate', 0, 1),
            slowProgramRate: number('slow-program-rate', 0, 1),
          }
        : { type: 'scripted', replies: [] },
    latency: { firstTokenMs: number('latency-ms', 0), perOutputTokenMs: number('per-token-ms', 0) },
    ...(values['max-concurrency'] === undefined ? {} : { maxConcurrency: number('max-concurrency', 1) }),
    ...(values.rpm === undefined ? {} : { rateLimit: { requestsPerMinute: number('rpm', 1) } }),
    faults: { errorRate: number('error-rate', 0, 1) },
    contextWindowTokens: number('context-window', 1),
    anyModel: true,
  });
  io.stderr(`simulated model server (${policy} policy) listening; base URL ${server.baseUrl}`);
  await new Promise<void>((resolve) => {
    const detach = io.onInterrupt(() => {
      detach();
      resolve();
    });
  });
  const stats = server.stats();
  await server.close();
  io.stderr(`served ${stats.totalRequests} requests; bye`);
  return 0;
}
