/**
 * The RLM methods through the SDK: `rlm` (full: REPL plus sub-calls) and
 * `rlm-no-subcalls` (the REPL only, the paper's ablation). A fresh RLM per
 * instance, so no instance benefits from another's cached sub-calls.
 */
import { RLM } from '@rlm/sdk';
import type { RlmEvent } from '@rlm/shared';
import type { EvalInstance, MethodOutcome } from '../types.ts';
import type { EndpointSettings, EvalMethod } from './method.ts';

export function createRlmMethod(endpoint: EndpointSettings, subcalls: boolean): EvalMethod {
  return {
    name: subcalls ? 'rlm' : 'rlm-no-subcalls',
    async run(instance: EvalInstance): Promise<MethodOutcome> {
      const rlm = new RLM({
        ...endpoint.engineOverrides,
        env: endpoint.env,
        model: endpoint.model,
        subModel: endpoint.subModel,
        ...(endpoint.baseUrl === undefined ? {} : { baseUrl: endpoint.baseUrl }),
        ...(endpoint.apiKey === undefined ? {} : { apiKey: endpoint.apiKey }),
        subcalls,
      });
      let depth = 0;
      const onEvent = (event: RlmEvent): void => {
        if (event.type === 'session-start') depth = Math.max(depth, event.depth);
        // A plain sub-call is answered one level below the session that made it.
        if (event.type === 'subcall-start' && event.kind === 'llm')
          depth = Math.max(depth, event.depth + 1);
      };
      try {
        const result = await rlm.completion(instance.context, instance.query, { onEvent });
        return {
          answer: result.answer,
          stopReason: result.stopReason,
          inputTokens: result.usage.inputTokens,
          outputTokens: result.usage.outputTokens,
          cachedInputTokens: result.usage.cachedInputTokens,
          costUsd: result.costUsd,
          calls: result.usage.calls,
          subcalls: result.subcalls,
          depth,
          iterations: result.iterations,
          contextTokensSeen: instance.contextTokens,
          ...(result.error === undefined ? {} : { error: result.error.message }),
        };
      } finally {
        await rlm.close();
      }
    },
  };
}
