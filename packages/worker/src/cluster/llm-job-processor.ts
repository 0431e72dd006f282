/**
 * Consumer of the `llm` queue: one completion through the gateway, inside the request's
 * cluster-wide budget. A sub-call also stops when the step that made it is abandoned on its
 * worker (shared/src/step-stop.ts), so a killed step's calls free their slots at once.
 */
import { LlmJobData, stepStopIdOfCall, withJobSpan } from '@rlm/shared';
import type {
  BlobStore,
  CancellationBus,
  CompletionPort,
  LlmCallOutcome,
  RuntimeFactory,
  TracedJob,
} from '@rlm/shared';
import { fromWireMessages } from '@rlm/redis';
import { StepRuntime } from '../repl/step-runtime.ts';
import { asOutcome } from './job-outcome.ts';
import type { JobOutcome } from './job-outcome.ts';

export interface LlmJobDeps {
  readonly gateway: CompletionPort;
  readonly blobs: BlobStore;
  readonly runtimes: RuntimeFactory;
  /** Where abandoned steps are announced; without it a sub-call stops only with its request. */
  readonly bus?: CancellationBus;
}

export function createLlmJobProcessor(
  deps: LlmJobDeps,
): (job: TracedJob) => Promise<JobOutcome<LlmCallOutcome>> {
  return (job) =>
    withJobSpan(job, async () => {
      const data = LlmJobData.parse(job.data);
      const request = deps.runtimes.open(data.root);
      const stepId = data.purpose === 'subcall' ? stepStopIdOfCall(data.root.rootId, data.callId) : undefined;
      const stepWatch = stepId === undefined ? undefined : deps.bus?.watch(stepId);
      const runtime = stepWatch === undefined ? request : new StepRuntime(request, stepWatch.signal);
      try {
        return await asOutcome(async () =>
          deps.gateway.complete(
            {
              callId: data.callId,
              sessionId: data.sessionId,
              depth: data.depth,
              purpose: data.purpose,
              request: {
                model: data.model,
                messages: await fromWireMessages(data.messages, deps.blobs),
                ...(data.temperature === undefined ? {} : { temperature: data.temperature }),
                ...(data.maxTokens === undefined ? {} : { maxTokens: data.maxTokens }),
              },
            },
            runtime,
          ),
        );
      } finally {
        stepWatch?.close();
        request.close();
      }
    });
}
