/** Consumer of the `step-d<n>` queues: one REPL step, sub-calls dispatched back onto the queues. */
import { StepJobData, withJobSpan } from '@rlm/shared';
import type { Dispatcher, RuntimeFactory, StepResult, TracedJob } from '@rlm/shared';
import { asOutcome } from './job-outcome.ts';
import type { JobOutcome } from './job-outcome.ts';
import type { SnapshotStepExecutor } from './snapshot-step-executor.ts';

export interface StepJobDeps {
  readonly executor: SnapshotStepExecutor;
  readonly dispatcher: Dispatcher;
  readonly runtimes: RuntimeFactory;
}

export function createStepJobProcessor(
  deps: StepJobDeps,
): (job: TracedJob) => Promise<JobOutcome<StepResult>> {
  return (job) =>
    withJobSpan(job, async () => {
      const data = StepJobData.parse(job.data);
      const runtime = deps.runtimes.open(data.root);
      try {
        return await asOutcome(() =>
          deps.executor.executeStep(
            {
              sessionId: data.sessionId,
              depth: data.depth,
              step: data.step,
              code: data.code,
              context: { kind: 'blob', hash: data.contextHash, format: data.contextFormat },
              settings: data.settings,
            },
            runtime,
            deps.dispatcher,
          ),
        );
      } finally {
        runtime.close();
      }
    });
}
