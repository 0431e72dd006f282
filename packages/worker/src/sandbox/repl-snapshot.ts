/**
 * The REPL snapshot format: a session's user globals and answer state as plain JSON, so that any
 * worker can run the session's next step in a fresh isolate (DESIGN section 3, "REPL state
 * between steps").
 *
 * ```
 * { version: 1,
 *   entries: [ { kind: 'value', names, data }        // data: the values of `names`, as one array
 *            | { kind: 'function', name, source } ], // fn.toString(), re-evaluated on restore
 *   answer: { content: data, sharedWith, ready },   // data: [answer.content, ...sharedWith values]
 *   skipped: [ { name, reason } ] }                 // what could not be kept, to tell the model
 * ```
 *
 * `data` is base64 of node:v8's serializer format (the structured clone's wire format), so
 * undefined, NaN, -0, BigInt, sparse arrays, cycles, Map, Set, Date, RegExp, ArrayBuffers and
 * their views come back exactly. That format is versioned and newer Node versions read older data,
 * so a worker may be upgraded under a live session.
 *
 * A value entry usually holds one variable. Variables that share objects (`b = { a }`, two views of
 * one buffer, `answer.content = summary`) are stored together in one entry, or with the answer,
 * so that they still share them after a restore. (For a state of more objects than the isolate's
 * free heap can keep track of, only a variable held inside another's value is found; see
 * snapshot-source.ts.) Keeping entries small keeps them worth storing by content hash: an
 * unchanged variable encodes to the same data at every step.
 *
 * Entries list values before functions, each in the order the globals were created, which is also
 * the order of a restore: snapshotting a restored session gives the same snapshot back.
 */
import { Deserializer, Serializer } from 'node:v8';
import { z } from 'zod';
import { RlmError } from '@rlm/shared';

const Base64Data = z.base64();
const GlobalName = z.string().min(1);

const SnapshotEntry = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('value'), names: z.array(GlobalName).min(1), data: Base64Data }),
  z.object({ kind: z.literal('function'), name: GlobalName, source: z.string().min(1) }),
]);
export type SnapshotEntry = z.infer<typeof SnapshotEntry>;

const SkippedGlobal = z.object({ name: z.string(), reason: z.string() });
export type SkippedGlobal = z.infer<typeof SkippedGlobal>;

export const ReplSnapshot = z
  .object({
    version: z.literal(1),
    entries: z.array(SnapshotEntry),
    answer: z.object({ content: Base64Data, sharedWith: z.array(GlobalName), ready: z.boolean() }),
    skipped: z.array(SkippedGlobal),
  })
  .superRefine((snapshot, context) => {
    const seen = new Set<string>();
    for (const name of definedNames(snapshot)) {
      if (seen.has(name))
        context.addIssue({ code: 'custom', message: `"${name}" is defined twice` });
      seen.add(name);
    }
  });
export type ReplSnapshot = z.infer<typeof ReplSnapshot>;

function definedNames(snapshot: ReplSnapshot): string[] {
  return [
    ...snapshot.entries.flatMap((entry) => (entry.kind === 'value' ? entry.names : [entry.name])),
    ...snapshot.answer.sharedWith,
  ];
}

/** Deterministic: the same snapshot always gives the same text. */
export function serializeSnapshot(snapshot: ReplSnapshot): string {
  // Rebuilt field by field so that key order never depends on how the caller built the object.
  const canonical: ReplSnapshot = {
    version: snapshot.version,
    entries: snapshot.entries.map((entry) =>
      entry.kind === 'value'
        ? { kind: entry.kind, names: [...entry.names], data: entry.data }
        : { kind: entry.kind, name: entry.name, source: entry.source },
    ),
    answer: {
      content: snapshot.answer.content,
      sharedWith: [...snapshot.answer.sharedWith],
      ready: snapshot.answer.ready,
    },
    skipped: snapshot.skipped.map((item) => ({ name: item.name, reason: item.reason })),
  };
  return JSON.stringify(canonical);
}

/** Throws an RlmError (`sandbox`) naming what is wrong when the text is not a valid snapshot. */
export function parseSnapshot(text: string): ReplSnapshot {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new RlmError('sandbox', `invalid REPL snapshot: not JSON (${reason})`, { cause: error });
  }
  const parsed = ReplSnapshot.safeParse(json);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.slice(0, 5).map((issue) => {
    const path = issue.path.map(String).join('.');
    return path === '' ? issue.message : `${path}: ${issue.message}`;
  });
  throw new RlmError('sandbox', `invalid REPL snapshot: ${problems.join('; ')}`);
}

/**
 * Encodes a host value as snapshot data. The plain `Serializer` (not node:v8's `serialize`, whose
 * subclass turns typed arrays into Node host objects) keeps views on a shared ArrayBuffer shared.
 * Throws on what V8 cannot serialize.
 */
export function encodeValue(value: unknown): string {
  const serializer = new Serializer();
  serializer.writeHeader();
  serializer.writeValue(value);
  return serializer.releaseBuffer().toString('base64');
}

/** Throws on data that is not in V8's serializer format. */
export function decodeValue(data: string): unknown {
  const deserializer = new Deserializer(Buffer.from(data, 'base64'));
  deserializer.readHeader();
  return deserializer.readValue();
}

/** The snapshot of a REPL with no user globals: what a fresh isolate holds. */
export function emptySnapshot(): ReplSnapshot {
  return {
    version: 1,
    entries: [],
    answer: { content: encodeValue(['']), sharedWith: [], ready: false },
    skipped: [],
  };
}
