/**
 * The host's handle on the isolate's snapshot helper (snapshot-source.ts): one method per
 * operation, each bounded by a timeout because reading user values may run user code. What comes
 * back out of the sandbox is checked before use.
 *
 * Values leave the isolate as an ExternalCopy, which is released as soon as it has been copied
 * into the host heap, so a large variable is held once in the isolate, once on the host, and
 * briefly once more while it is being encoded.
 */
import type ivm from 'isolated-vm';
import { z } from 'zod';

const Inspection = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('value') }),
  z.object({ kind: z.literal('function'), source: z.string() }),
  z.object({ kind: z.literal('skip'), reason: z.string() }),
]);
/** What the isolate says about one target (a user global, or `answer.content`). */
export type Inspection = z.infer<typeof Inspection>;

const SnapshotTargets = z.object({ names: z.array(z.string()), answerReady: z.boolean() });
const GroupRoots = z.array(z.number().int().nonnegative());
const Flags = z.array(z.boolean());

/** Each call may run user getters, proxy traps or class static blocks: a CPU bound for each. */
const SNAPSHOT_CALL_TIMEOUT_MS = 5_000;
/**
 * Heap the walk may use per object it remembers (a Map entry, counting the Map's growth), and
 * heap it must leave free: running out of memory inside a host call aborts the whole process,
 * not just the isolate.
 */
const SEEN_OBJECT_BYTES = 200;
const HEAP_RESERVE_BYTES = 16 * 1024 * 1024;

export interface SnapshotBridge {
  /** False once the isolate is gone; every other method then rejects. */
  readonly isAlive: boolean;
  /**
   * Starts a snapshot. The targets are the user globals in creation order (what the variables
   * list shows), then `answer.content` at index `names.length`. Pair with `endSnapshot`. What
   * the inspections may remember is bounded by the isolate's free heap at this point.
   */
  beginSnapshot(): Promise<{ names: string[]; answerReady: boolean }>;
  inspect(index: number): Promise<Inspection>;
  /** For each target, the lowest index of the targets it is grouped with (see snapshot-source.ts). */
  groupRoots(): Promise<number[]>;
  /** A host copy of the targets' values, as one array; rejects if the structured clone refuses one. */
  copyOut(indices: readonly number[]): Promise<unknown[]>;
  /** Frees what the isolate remembered for the snapshot; never rejects. */
  endSnapshot(): Promise<void>;
  /**
   * Defines globals (null: `answer.content`) from one array of values, so objects they share stay
   * shared. Resolves to which were defined: the REPL's own names are refused.
   */
  restoreValues(
    targets: readonly (string | null)[],
    values: readonly unknown[],
  ): Promise<boolean[]>;
  /** Evaluates a function's source in the isolate's global scope; rejects if that throws. */
  restoreFunction(name: string, source: string): Promise<boolean>;
  restoreAnswerReady(ready: boolean): Promise<void>;
}

export function createSnapshotBridge(
  isolate: ivm.Isolate,
  context: ivm.Context,
  helper: ivm.Reference,
): SnapshotBridge {
  const call = (operation: string, argument?: unknown, value?: unknown): Promise<unknown> =>
    helper.apply(undefined, [operation, argument, value], {
      arguments: { copy: true },
      result: { copy: true },
      timeout: SNAPSHOT_CALL_TIMEOUT_MS,
    });
  return {
    get isAlive() {
      return !isolate.isDisposed;
    },
    async beginSnapshot() {
      const heap = await isolate.getHeapStatistics();
      const room = heap.heap_size_limit - heap.used_heap_size - HEAP_RESERVE_BYTES;
      const seenLimit = Math.max(0, Math.floor(room / SEEN_OBJECT_BYTES));
      return SnapshotTargets.parse(await call('begin', seenLimit));
    },
    async inspect(index) {
      return Inspection.parse(await call('inspect', index));
    },
    async groupRoots() {
      return GroupRoots.parse(await call('groups'));
    },
    async copyOut(indices) {
      const copy = await helper.apply(undefined, ['values', [...indices]], {
        arguments: { copy: true },
        result: { externalCopy: true },
        timeout: SNAPSHOT_CALL_TIMEOUT_MS,
      });
      const values: unknown = copy.copy({ release: true });
      if (!Array.isArray(values) || values.length !== indices.length) {
        throw new Error('the isolate returned no values');
      }
      return values;
    },
    async endSnapshot() {
      try {
        await call('end');
      } catch {
        // The isolate is gone, or busy past the timeout: its snapshot state goes with it or stays
        // until the next 'begin' replaces it.
      }
    },
    async restoreValues(targets, values) {
      return Flags.parse(await call('restore', [...targets], values));
    },
    async restoreFunction(name, source) {
      // The closing parenthesis goes on a line of its own in case the source ends in a comment.
      const script = await isolate.compileScript(`(${source}\n)`, {
        filename: `restored-${name}.js`,
      });
      try {
        const fn = await script.run(context, {
          reference: true,
          timeout: SNAPSHOT_CALL_TIMEOUT_MS,
        });
        try {
          const restored: unknown = await helper.apply(
            undefined,
            ['restore-function', name, fn.derefInto()],
            { result: { copy: true }, timeout: SNAPSHOT_CALL_TIMEOUT_MS },
          );
          return restored === true;
        } finally {
          fn.release();
        }
      } finally {
        script.release();
      }
    },
    async restoreAnswerReady(ready) {
      await call('restore-ready', undefined, ready);
    },
  };
}
