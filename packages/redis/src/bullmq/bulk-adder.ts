/**
 * Adds jobs in bursts: every add requested for one queue in the same turn of
 * the event loop goes to Redis as one `addBulk` (one round trip, one
 * transaction) instead of one script call each. A fan-out of sub-calls
 * (`llm_query_batched`, `Promise.all` of many `llm_query`) reaches here as a
 * burst; a lone add waits for nothing but the end of the current turn.
 */
import type { Job, JobsOptions, Queue } from 'bullmq';

interface PendingAdd {
  readonly data: object;
  readonly options: JobsOptions;
  readonly resolve: (job: Job) => void;
  readonly reject: (error: unknown) => void;
}

export class BulkAdder {
  private readonly pending = new Map<Queue, PendingAdd[]>();

  add(queue: Queue, data: object, options: JobsOptions): Promise<Job> {
    return new Promise((resolve, reject) => {
      let burst = this.pending.get(queue);
      if (burst === undefined) {
        burst = [];
        this.pending.set(queue, burst);
        setImmediate(() => void this.flush(queue));
      }
      burst.push({ data, options, resolve, reject });
    });
  }

  private async flush(queue: Queue): Promise<void> {
    const burst = this.pending.get(queue) ?? [];
    this.pending.delete(queue);
    try {
      const jobs =
        burst.length === 1 && burst[0] !== undefined
          ? [await queue.add(queue.name, burst[0].data, burst[0].options)]
          : await queue.addBulk(burst.map((add) => ({ name: queue.name, data: add.data, opts: add.options })));
      burst.forEach((add, index) => {
        const job = jobs[index];
        if (job === undefined) add.reject(new Error(`addBulk returned ${jobs.length} jobs for ${burst.length} adds`));
        else add.resolve(job);
      });
    } catch (error) {
      for (const add of burst) add.reject(error);
    }
  }
}
