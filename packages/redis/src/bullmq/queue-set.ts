/**
 * The cluster's queues: one for LLM completions (leaves), and one per depth
 * for REPL steps and for sessions. A depth-d job only ever waits on jobs of
 * depth d+1 or on leaves, and every queue has its own worker slots, so work
 * always progresses (see docs/decisions/2026-11-24-per-depth-queues.md).
 */
import { Queue, QueueEvents } from 'bullmq';
import type { ConnectionOptions } from 'bullmq';
import { MAX_QUEUE_DEPTH, QUEUE_NAMES } from '@rlm/shared';

const EVENTS_MAX_LEN = 100_000;

export interface QueueSetOptions {
  readonly connection: ConnectionOptions;
  /** BullMQ key prefix; hash-tagged so one queue's keys share a Redis Cluster slot. */
  readonly prefix: string;
}

export class QueueSet {
  readonly llm: Queue;
  readonly steps: readonly Queue[];
  readonly sessions: readonly Queue[];
  private readonly events = new Map<string, QueueEvents>();
  private readonly options: QueueSetOptions;

  constructor(options: QueueSetOptions) {
    this.options = options;
    const make = (name: string): Queue =>
      quiet(new Queue(name, {
        connection: options.connection,
        prefix: options.prefix,
        // A fan-out of thousands of jobs writes several events each; keep enough for listeners to catch up.
        streams: { events: { maxLen: EVENTS_MAX_LEN } },
      }));
    this.llm = make(QUEUE_NAMES.llm());
    this.steps = Array.from({ length: MAX_QUEUE_DEPTH }, (_, depth) =>
      make(QUEUE_NAMES.step(depth)),
    );
    this.sessions = Array.from({ length: MAX_QUEUE_DEPTH }, (_, depth) =>
      make(QUEUE_NAMES.session(depth)),
    );
  }

  step(depth: number): Queue {
    const queue = this.steps[depth];
    if (queue === undefined) throw new RangeError(`no step queue for depth ${depth}`);
    return queue;
  }

  session(depth: number): Queue {
    const queue = this.sessions[depth];
    if (queue === undefined) throw new RangeError(`no session queue for depth ${depth}`);
    return queue;
  }

  /** One QueueEvents per queue, opened on first use: waiting on a job needs its queue's event stream. */
  async eventsOf(queue: Queue): Promise<QueueEvents> {
    let events = this.events.get(queue.name);
    if (events === undefined) {
      events = quiet(
        new QueueEvents(queue.name, {
          connection: this.options.connection,
          prefix: this.options.prefix,
        }),
      );
      this.events.set(queue.name, events);
      await events.waitUntilReady();
    }
    return events;
  }

  all(): Queue[] {
    return [this.llm, ...this.steps, ...this.sessions];
  }

  async close(): Promise<void> {
    await Promise.all([...this.events.values()].map((events) => events.close()));
    await Promise.all(this.all().map((queue) => queue.close()));
  }
}

/**
 * Connection errors while Redis is away are expected: BullMQ reconnects with backoff and callers'
 * commands fail or wait. A listener keeps them from being printed once per reconnect attempt.
 */
function quiet<T extends { on(event: 'error', listener: (error: Error) => void): unknown }>(emitter: T): T {
  emitter.on('error', () => undefined);
  return emitter;
}
