/**
 * Runs every method on every instance, one at a time: instances are generated
 * once and handed to the methods in turn, so their scores pair up and the
 * wall times do not compete for the same cores.
 */
import { grade } from './graders.ts';
import type { EvalMethod } from './methods/method.ts';
import type { EvalInstance, InstanceResult } from './types.ts';

/** Answers and expected texts kept in results.json are cut to this many characters. */
const KEPT_TEXT_CHARS = 300;

export interface RunEvalOptions {
  /** Produces the instances lazily: one context in memory at a time. */
  readonly instances: Iterable<EvalInstance>;
  readonly methods: readonly EvalMethod[];
  readonly onResult?: (result: InstanceResult) => void;
}

export async function runEval(options: RunEvalOptions): Promise<InstanceResult[]> {
  const results: InstanceResult[] = [];
  for (const instance of options.instances) {
    for (const method of options.methods) {
      const started = performance.now();
      const outcome = await method.run(instance);
      const wallMs = Math.round(performance.now() - started);
      const { answer, ...measured } = outcome;
      const result: InstanceResult = {
        id: instance.id,
        task: instance.task,
        lengthTokens: instance.lengthTokens,
        contextTokens: instance.contextTokens,
        seed: instance.seed,
        method: method.name,
        score: grade(instance.grader, instance.expected, answer),
        wallMs,
        ...measured,
        answer: cut(answer),
        expected: cut(instance.expected),
      };
      results.push(result);
      options.onResult?.(result);
    }
  }
  return results;
}

function cut(text: string): string {
  return text.length <= KEPT_TEXT_CHARS ? text : `${text.slice(0, KEPT_TEXT_CHARS)}...`;
}
