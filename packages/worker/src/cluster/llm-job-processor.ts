/** Consumer of the `llm` queue: one completion through the gateway, inside the request's cluster-wide budget. */
import { LlmJobData, withJobSpan } from '@rlm/shared';
import type {
  BlobStore,
  CompletionPort,
  LlmCallOutcome,
  RuntimeFactory,
  TracedJob,
} from '@rlm/shared';
import { fromWireMessages } from '@rlm/redis';
import { asOutcome } from './job-outcome.ts';
import type { JobOutcome } from './job-outcome.ts';

export interface LlmJobDeps {
  readonly gateway: CompletionPort;
  readonly blobs: BlobStore;
  readonly runtimes: RuntimeFactory;
}

export function createLlmJobProcessor(
  deps: LlmJobDeps,
): (job: TracedJob) => Promise<JobOutcome<LlmCallOutcome>> {
  return (job) =>
    withJobSpan(job, async () => {
      const data = LlmJobData.parse(job.data);
      const runtime = deps.runtimes.open(data.root);
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
        runtime.close();
      }
    });
}
