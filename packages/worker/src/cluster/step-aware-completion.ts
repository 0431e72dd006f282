/**
 * The handler of the `llm` queue (createJobProcessor('llm', ...)): one completion through the
 * gateway, inside the request's cluster-wide budget. A sub-call also stops when the step that
 * made it is abandoned on its worker (shared/src/step-stop.ts), so a killed step's calls free
 * their concurrency slots at once instead of running on for nobody.
 */
import { stepStopIdOfCall } from '@rlm/shared';
import type { CancellationBus, CompletionPort, JobHandler } from '@rlm/shared';
import { StepRuntime } from '../repl/step-runtime.ts';

/** Without a bus a sub-call stops only with its request; root turns never watch a step. */
export function stepAwareCompletion(gateway: CompletionPort, bus?: CancellationBus): JobHandler<'llm'> {
  return async (task, request) => {
    const stepId = task.purpose === 'subcall' ? stepStopIdOfCall(request.rootId, task.callId) : undefined;
    const stepWatch = stepId === undefined ? undefined : bus?.watch(stepId);
    if (stepWatch === undefined) return gateway.complete(task, request);
    try {
      return await gateway.complete(task, new StepRuntime(request, stepWatch.signal));
    } finally {
      stepWatch.close();
    }
  };
}
