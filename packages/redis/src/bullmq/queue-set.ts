/**
 * The cluster's queues: one for LLM completions (leaves), and one per depth
 * for REPL steps and for sessions. A depth-d job only ever waits on jobs of
 * depth d+1 or on leaves, and every queue has its own worker slots, so work
 * always progresses (see docs/decisions/2026-11-24-per-depth-queues.md).
 */
import { Queue, QueueEvents } from 'bullmq';
import type { ConnectionOptions, Job, JobsOptions } from 'bullmq';
import { BulkAdder } from './bulk-adder.ts';
import { JobWaiters } from './job-waiters.ts';
import { JOB_CATALOG, MAX_QUEUE_DEPTH } from '@rlm/shared';
import type { JobKind } from '@rlm/shared';

const EVENTS_MAX_LEN = 100_000;
/** Hosts' clocks may differ from Redis' by this much. */
const CLOCK_SLACK_MS = 5_000;

type StreamEntries = [id: string, fields: string[]][];
interface StreamReader {
  xrange(key: string, start: string, end: string, count: 'COUNT', n: number): Promise<StreamEntries>;
  xrevrange(key: string, end: string, start: string, count: 'COUNT', n: number): Promise<StreamEntries>;
}

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
  private readonly waiters = new Map<string, Promise<JobWaiters>>();
  private readonly adder = new BulkAdder();
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
    this.llm = make(JOB_CATALOG.llm.queueName(0));
    this.steps = Array.from({ length: MAX_QUEUE_DEPTH }, (_, depth) => make(JOB_CATALOG.step.queueName(depth)));
    this.sessions = Array.from({ length: MAX_QUEUE_DEPTH }, (_, depth) => make(JOB_CATALOG.session.queueName(depth)));
  }

  /** Adds a job; adds to one queue in the same turn of the event loop travel as one addBulk. */
  add(queue: Queue, data: object, options: JobsOptions): Promise<Job> {
    return this.adder.add(queue, data, options);
  }

  /** The queue a task of this kind and depth goes to. */
  of(kind: JobKind, depth: number): Queue {
    if (kind === 'llm') return this.llm;
    return kind === 'step' ? this.step(depth) : this.session(depth);
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

  /** The waiters of one queue, on its QueueEvents, opened on first use: waiting on a job needs its queue's event stream. */
  waitersOf(queue: Queue): Promise<JobWaiters> {
    let waiters = this.waiters.get(queue.name);
    if (waiters === undefined) {
      waiters = this.openWaiters(queue);
      this.waiters.set(queue.name, waiters);
    }
    return waiters;
  }

  /**
   * The listener reads the stream from its newest entry as of now, not from
   * `$` (BullMQ's default, resolved when its first blocking read reaches Redis,
   * which may be after our first add): no event of a job we add is skipped.
   */
  private async openWaiters(queue: Queue): Promise<JobWaiters> {
    const eventsKey = queue.keys['events'] ?? '';
    const lastEventId = (await this.newestEventId(eventsKey).catch(() => undefined)) ?? `${Date.now() - CLOCK_SLACK_MS}-0`;
    const events = quiet(
      new QueueEvents(queue.name, {
        connection: this.options.connection,
        prefix: this.options.prefix,
        lastEventId,
      }),
    );
    this.events.set(queue.name, events);
    await events.waitUntilReady();
    return new JobWaiters(queue, events, (key) => this.oldestEventMs(key));
  }

  /** Our connections are ioredis clients; any other connection option reads as unknown. */
  private async oldestEventMs(eventsKey: string): Promise<number | undefined> {
    const client = this.streamClient();
    if (client === undefined) return undefined;
    const [oldest] = await client.xrange(eventsKey, '-', '+', 'COUNT', 1);
    return oldest === undefined ? Number.POSITIVE_INFINITY : Number(oldest[0].split('-')[0]);
  }

  private async newestEventId(eventsKey: string): Promise<string | undefined> {
    const client = this.streamClient();
    if (client === undefined) return undefined;
    const [newest] = await client.xrevrange(eventsKey, '+', '-', 'COUNT', 1);
    return newest?.[0] ?? '0-0';
  }

  private streamClient(): StreamReader | undefined {
    const client = this.options.connection as Partial<StreamReader>;
    return typeof client.xrange === 'function' && typeof client.xrevrange === 'function' ? (client as StreamReader) : undefined;
  }

  all(): Queue[] {
    return [this.llm, ...this.steps, ...this.sessions];
  }

  async close(): Promise<void> {
    for (const waiters of this.waiters.values()) void waiters.then((ready) => ready.close(), () => undefined);
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
