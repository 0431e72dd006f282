/**
 * Taking a REPL's user globals out of an isolate as a ReplSnapshot, and putting them into a
 * fresh one.
 *
 * Values that survive the structured clone are kept by value, grouped so that variables sharing
 * objects still share them (see repl-snapshot.ts for the format). Functions and classes are kept by
 * source and re-evaluated in the new isolate's global scope after all values, in the order they
 * were declared, so a helper calling another helper or reading a restored variable works. What a
 * re-evaluated function cannot get back is its closure: a function built inside another function
 * comes back without the local variables it captured, and fails when it reads them; properties
 * added to a function, and static fields changed since the class was declared, start over. Everything
 * else (class instances, objects holding functions, symbols, promises, weak collections, getters)
 * is listed in `skipped` and never throws; the restored session tells the model about it.
 */
import { parse } from 'acorn';
import type { Expression } from 'acorn';
import { RlmError } from '@rlm/shared';
import { decodeValue, encodeValue } from './repl-snapshot.ts';
import type { ReplSnapshot, SkippedGlobal, SnapshotEntry } from './repl-snapshot.ts';
import type { SnapshotBridge } from './snapshot-bridge.ts';

/** Skip reasons quote error messages; this keeps the note to the model short. */
const MAX_REASON_CHARS = 80;
/** At most this many skipped names are spelled out in the note. */
const MAX_NOTED_NAMES = 10;

type Attempt<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

/** The name `skipped` uses for the answer's content. */
const ANSWER_CONTENT = 'answer.content';

export async function takeSnapshot(bridge: SnapshotBridge): Promise<ReplSnapshot> {
  const { names, answerReady } = await bridge.beginSnapshot();
  try {
    return await collectSnapshot(bridge, names, answerReady);
  } finally {
    await bridge.endSnapshot();
  }
}

async function collectSnapshot(
  bridge: SnapshotBridge,
  names: readonly string[],
  answerReady: boolean,
): Promise<ReplSnapshot> {
  const answerIndex = names.length;
  const nameOf = (index: number): string => names[index] ?? ANSWER_CONTENT;
  const skipped: SkippedGlobal[] = [];
  const functions: SnapshotEntry[] = [];
  const storable: number[] = [];
  for (let index = 0; index <= answerIndex; index++) {
    const inspection = await attempt(bridge, () => bridge.inspect(index));
    if (!inspection.ok) {
      skipped.push({ name: nameOf(index), reason: inspection.reason });
      continue;
    }
    const result = inspection.value;
    switch (result.kind) {
      case 'value':
        storable.push(index);
        break;
      case 'skip':
        skipped.push({ name: nameOf(index), reason: result.reason });
        break;
      case 'function': {
        const problem = index === answerIndex ? 'function' : functionSourceProblem(result.source);
        if (problem === undefined)
          functions.push({ kind: 'function', name: nameOf(index), source: result.source });
        else skipped.push({ name: nameOf(index), reason: problem });
        break;
      }
    }
  }

  const values: SnapshotEntry[] = [];
  let answer = { content: encodeValue(['']), sharedWith: [] as string[] };
  for (const members of await sharingGroups(bridge, storable)) {
    // The answer's content has the highest index; its group lists it first.
    const withAnswer = members.at(-1) === answerIndex;
    const order = withAnswer ? [answerIndex, ...members.slice(0, -1)] : members;
    const data = await attempt(bridge, async () => encodeValue(await bridge.copyOut(order)));
    if (!data.ok) {
      for (const index of order)
        skipped.push({ name: nameOf(index), reason: `could not be copied: ${data.reason}` });
    } else if (withAnswer) {
      answer = { content: data.value, sharedWith: order.slice(1).map(nameOf) };
    } else {
      values.push({ kind: 'value', names: order.map(nameOf), data: data.value });
    }
  }
  return {
    version: 1,
    entries: [...values, ...functions],
    answer: { ...answer, ready: answerReady },
    skipped,
  };
}

/** The storable targets grouped by the objects they share, groups in order of their first member. */
async function sharingGroups(
  bridge: SnapshotBridge,
  storable: readonly number[],
): Promise<number[][]> {
  const roots = await bridge.groupRoots();
  const groups = new Map<number, number[]>();
  for (const index of storable) {
    const root = roots[index] ?? index;
    const group = groups.get(root);
    if (group === undefined) groups.set(root, [index]);
    else group.push(index);
  }
  return [...groups.values()];
}

/**
 * Defines the snapshot's globals in a fresh isolate: values, the answer, then functions. Returns
 * the entries that could not be restored; rejects only if the isolate dies.
 */
export async function restoreSnapshot(
  bridge: SnapshotBridge,
  snapshot: ReplSnapshot,
): Promise<SkippedGlobal[]> {
  const skipped: SkippedGlobal[] = [];
  const restoreGroup = async (targets: readonly (string | null)[], data: string): Promise<void> => {
    const restored = await attempt(bridge, async () => {
      const values = decodeValue(data);
      if (!Array.isArray(values) || values.length !== targets.length) {
        throw new Error('wrong number of values');
      }
      return bridge.restoreValues(targets, values);
    });
    for (const [position, target] of targets.entries()) {
      const name = target ?? ANSWER_CONTENT;
      if (!restored.ok) skipped.push({ name, reason: `not restorable: ${restored.reason}` });
      else if (restored.value[position] !== true) skipped.push({ name, reason: 'reserved name' });
    }
  };
  for (const entry of snapshot.entries) {
    if (entry.kind === 'value') await restoreGroup(entry.names, entry.data);
  }
  await restoreGroup([null, ...snapshot.answer.sharedWith], snapshot.answer.content);
  for (const entry of snapshot.entries) {
    if (entry.kind !== 'function') continue;
    const problem = functionSourceProblem(entry.source);
    const restored: Attempt<boolean> =
      problem === undefined
        ? await attempt(bridge, () => bridge.restoreFunction(entry.name, entry.source))
        : { ok: false, reason: problem };
    if (!restored.ok)
      skipped.push({ name: entry.name, reason: `not restorable: ${restored.reason}` });
    else if (!restored.value) skipped.push({ name: entry.name, reason: 'reserved name' });
  }
  await bridge.restoreAnswerReady(snapshot.answer.ready);
  return skipped;
}

/** The line a restored session prints before its first step's output, or undefined. */
export function restoreNote(skipped: readonly SkippedGlobal[]): string | undefined {
  if (skipped.length === 0) return undefined;
  const listed = skipped
    .slice(0, MAX_NOTED_NAMES)
    .map((item) => `${item.name} (${shorten(item.reason)})`);
  if (skipped.length > MAX_NOTED_NAMES) listed.push(`and ${skipped.length - MAX_NOTED_NAMES} more`);
  return `note: not restored from the previous step: ${listed.join(', ')}\n`;
}

/**
 * Why `fn.toString()` cannot be evaluated back into the function, or undefined if it can: it
 * must parse as exactly one function, arrow function or class expression. Methods (`f() {}`)
 * and native or bound functions (`function f() { [native code] }`) do not.
 */
export function functionSourceProblem(source: string): string | undefined {
  let expression: Expression;
  try {
    const program = parse(`(${source}\n)`, { ecmaVersion: 'latest', sourceType: 'script' });
    const [statement, ...rest] = program.body;
    if (statement?.type !== 'ExpressionStatement' || rest.length > 0)
      return 'not a standalone function';
    expression = statement.expression;
  } catch {
    return /\[native code\]\s*\}\s*$/.test(source)
      ? 'native function'
      : 'method, not a standalone function';
  }
  const standalone =
    expression.type === 'FunctionExpression' ||
    expression.type === 'ArrowFunctionExpression' ||
    expression.type === 'ClassExpression';
  return standalone && expression.start === 1 && expression.end === source.length + 1
    ? undefined
    : 'not a standalone function';
}

/** Runs one isolate call; a failure is a skip reason unless the isolate itself is gone. */
async function attempt<T>(bridge: SnapshotBridge, action: () => Promise<T>): Promise<Attempt<T>> {
  try {
    return { ok: true, value: await action() };
  } catch (error) {
    if (!bridge.isAlive) {
      throw new RlmError(
        'sandbox',
        'the REPL isolate died while its state was being saved or restored',
        {
          cause: error,
        },
      );
    }
    const message = error instanceof Error ? error.message : String(error);
    if (/timed out/i.test(message)) return { ok: false, reason: 'too slow to read' };
    if (/call stack/i.test(message)) return { ok: false, reason: 'too deeply nested' };
    return { ok: false, reason: message.replace(/\s+/g, ' ').trim() };
  }
}

function shorten(text: string): string {
  return text.length <= MAX_REASON_CHARS ? text : `${text.slice(0, MAX_REASON_CHARS - 3)}...`;
}
