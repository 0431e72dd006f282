/**
 * The one factory of job processors: parse the payload against the catalog,
 * open the request's runtime from its root scope, decode the task, run the
 * handler inside the job's CONSUMER span, and turn any failure into data.
 * The llm, step and session consumers differ only in their handler.
 */
import type { RequestRuntime } from '../budget/request-runtime.ts';
import type { BlobStore, RuntimeFactory } from '../cluster-ports.ts';
import { serializeError } from '../errors.ts';
import { withJobSpan } from '../telemetry/job-span.ts';
import type { TracedJob } from '../telemetry/job-span.ts';
import { JOB_CATALOG } from './job-catalog.ts';
import type { JobKind, JobOutcome, ResultOf, TaskOf } from './job-catalog.ts';
import { decodeTask } from './wire-codec.ts';

export interface JobProcessorDeps {
  readonly runtimes: RuntimeFactory;
  readonly blobs: BlobStore;
}

export type JobHandler<K extends JobKind> = (task: TaskOf[K], runtime: RequestRuntime) => Promise<ResultOf[K]>;
export type JobProcessor<K extends JobKind> = (job: TracedJob) => Promise<JobOutcome<ResultOf[K]>>;

export function createJobProcessor<K extends JobKind>(kind: K, deps: JobProcessorDeps, handle: JobHandler<K>): JobProcessor<K> {
  const spec = JOB_CATALOG[kind];
  return (job) =>
    withJobSpan(job, async () => {
      // A payload that does not parse (another version's, or corrupt) is an error as data too.
      const parsed = spec.payload.safeParse(job.data);
      if (!parsed.success) return { ok: false, error: serializeError(new Error(`bad ${kind} job payload: ${parsed.error.message}`)) };
      const payload = parsed.data;
      const runtime = deps.runtimes.open(payload.root);
      try {
        return { ok: true, value: await handle(await decodeTask(kind, payload.task, deps.blobs), runtime) };
      } catch (error) {
        return { ok: false, error: serializeError(error) };
      } finally {
        runtime.close();
      }
    });
}
