/**
 * In-isolate source: the isolate's half of REPL snapshots (state-snapshot.ts is the host's half).
 * Pasted into the bootstrap closure (bootstrap-source.ts), whose names it uses: `global`,
 * `builtinNames`, `getOwnPropertyNames`, `getOwnPropertyDescriptor`, `getPrototypeOf`,
 * `objectKeys`, `reflectApply`.
 *
 * Everything goes through `snapshotHelper(operation, argument, value)`. Taking a snapshot is
 * 'begin', then 'inspect' for each target, 'groups', 'values' per group, and 'end'. The targets
 * are the user globals in creation order followed by `answer.content`, and are named by index:
 *  - 'begin'   -> { names, answerReady }; remembers the targets until 'end'. The argument is how
 *                 many objects the walk may remember (see "the walk" below)
 *  - 'inspect' -> { kind: 'value' } | { kind: 'function', source } | { kind: 'skip', reason }
 *  - 'groups'  -> for each target, the lowest-numbered target it is grouped with (itself if
 *                 none): targets whose values share objects (`list = [node]`, `a = { o }` and
 *                 `b = [o]`, `answer.content = summary`) must be copied together to keep sharing
 *  - 'values'  -> the values of the given targets, as one array (taken out by an ExternalCopy)
 *  - 'end'     -> forgets the targets
 * Restoring is 'restore' (target names, null for answer.content, and their values as one array,
 * so that shared objects stay shared; resolves to which ones were defined), 'restore-function'
 * (one name and its re-evaluated function) and 'restore-ready'.
 *
 * 'inspect' decides whether a value survives the structured clone as it is. The clone itself
 * rejects functions, symbols, promises and weak collections, but it silently turns class instances
 * into plain objects and runs getters; both are caught here, so that a restored variable is either
 * what it was or reported as skipped. Reading a value may run user code (getters, proxy traps),
 * which is why the host bounds each call with a timeout.
 */
export const SNAPSHOT_SOURCE = String.raw`
const functionToString = Function.prototype.toString;
const regExpExec = RegExp.prototype.exec;
const MapConstructor = Map;
const SetConstructor = Set;
const mapGet = Map.prototype.get;
const mapSet = Map.prototype.set;
const mapEntries = Map.prototype.entries;
const mapSizeGetter = getOwnPropertyDescriptor(Map.prototype, 'size').get;
const mapSize = (map) => reflectApply(mapSizeGetter, map, []);
const mapIteratorNext = getPrototypeOf(new Map().entries()).next;
const setAdd = Set.prototype.add;
const setHas = Set.prototype.has;
const setSize = getOwnPropertyDescriptor(Set.prototype, 'size').get;
const setValues = Set.prototype.values;
const setIteratorNext = getPrototypeOf(new Set().values()).next;
const typedArrayBuffer = getOwnPropertyDescriptor(getPrototypeOf(Uint8Array.prototype), 'buffer').get;
const dataViewBuffer = getOwnPropertyDescriptor(DataView.prototype, 'buffer').get;
const NATIVE_SOURCE = /\{\s*\[native code\]\s*\}\s*$/;
const VOWEL_START = /^[aeiou]/i;

/** How the structured clone treats an object, by its prototype: walk into it, copy it whole, or refuse it. */
const cloneKinds = new MapConstructor();
function registerCloneKind(constructor, kind) {
  if (typeof constructor === 'function') reflectApply(mapSet, cloneKinds, [constructor.prototype, kind]);
}
registerCloneKind(Object, 'object');
registerCloneKind(Array, 'array');
registerCloneKind(Map, 'map');
registerCloneKind(Set, 'set');
registerCloneKind(DataView, 'data-view');
for (const leaf of [
  Date, RegExp, ArrayBuffer, Boolean, Number, String, BigInt,
  Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError,
]) registerCloneKind(leaf, 'leaf');
for (const view of [
  Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
  Float32Array, Float64Array, BigInt64Array, BigUint64Array, global.Float16Array,
]) registerCloneKind(view, 'typed-array');
for (const [constructor, label] of [
  [Promise, 'promise'], [WeakMap, 'WeakMap'], [WeakSet, 'WeakSet'], [global.WeakRef, 'WeakRef'],
  [global.FinalizationRegistry, 'FinalizationRegistry'], [Symbol, 'symbol'],
]) registerCloneKind(constructor, { refused: label });

// State of the snapshot being taken, between 'begin' and 'end'.
let snapshotTargets = [];
/** Union-find over target indices: targets whose values overlap end up with one root. */
let snapshotParents = [];
/** True for each target whose walk finished and found its value storable. */
let snapshotChecked = [];
/** Every object walked so far -> the target that walked it; undefined once there were too many. */
let snapshotSeen;
/** How many objects the heap has room to remember (the host measures it). */
let snapshotSeenLimit = 0;
/** The object value of each target -> its index: what grouping falls back on without snapshotSeen. */
let snapshotRoots = new MapConstructor();

function beginSnapshot(seenLimit) {
  const names = userGlobalNames();
  snapshotTargets = names.concat([null]);
  snapshotParents = [];
  snapshotChecked = [];
  snapshotSeen = new MapConstructor();
  snapshotSeenLimit = typeof seenLimit === 'number' ? seenLimit : 0;
  snapshotRoots = new MapConstructor();
  for (let i = 0; i < snapshotTargets.length; i++) {
    snapshotParents[i] = i;
    snapshotChecked[i] = false;
  }
  for (let i = 0; i < snapshotTargets.length; i++) {
    let value;
    try {
      value = readSnapshotSlot(snapshotTargets[i]).value; // a proxy's trap may throw
    } catch {}
    if (value === null || typeof value !== 'object') continue;
    const owner = reflectApply(mapGet, snapshotRoots, [value]);
    if (owner === undefined) reflectApply(mapSet, snapshotRoots, [value, i]);
    else joinGroups(owner, i);
  }
  return { names, answerReady: readAnswerReady() };
}

function endSnapshot() {
  snapshotTargets = [];
  snapshotParents = [];
  snapshotChecked = [];
  snapshotSeen = undefined;
  snapshotRoots = new MapConstructor();
}

function groupRoot(index) {
  while (snapshotParents[index] !== index) index = snapshotParents[index];
  return index;
}

function joinGroups(a, b) {
  const rootA = groupRoot(a);
  const rootB = groupRoot(b);
  if (rootA < rootB) snapshotParents[rootB] = rootA;
  else if (rootB < rootA) snapshotParents[rootA] = rootB;
}

function userGlobalNames() {
  const names = [];
  const all = getOwnPropertyNames(global);
  for (let i = 0; i < all.length; i++) {
    if (builtinNames[all[i]] !== true) names[names.length] = all[i];
  }
  return names;
}

function readAnswerReady() {
  try {
    const answer = getOwnPropertyDescriptor(global, 'answer');
    return answer !== undefined && answer.value !== null && typeof answer.value === 'object' && answer.value.ready === true;
  } catch {
    return false;
  }
}

function instanceLabel(prototype) {
  try {
    const constructor = getOwnPropertyDescriptor(prototype, 'constructor');
    if (constructor !== undefined && typeof constructor.value === 'function') {
      const name = getOwnPropertyDescriptor(constructor.value, 'name');
      if (name !== undefined && typeof name.value === 'string' && name.value !== '') return 'instance of ' + name.value;
    }
  } catch {}
  return 'class instance';
}

// ---- the walk ---------------------------------------------------------------------------------
//
// The walk must not cost memory the heap does not have: the heap may already be close to the
// isolate's limit, and running out of memory inside a host call takes the whole process down.
//
// While the heap has room, one map remembers every object walked and which target walked it
// first. That finds cycles, and every object two targets share, so the targets can be grouped
// exactly. Past the limit the map is dropped, and the remaining targets are walked without
// remembering anything, holding one cursor per level of nesting: enough for tree-shaped data.
// Grouping then only sees a target's value inside another's. A cycle or heavy sharing shows up as
// great depth or many visits; only then is that one value walked again with a set of its own.

const SHARED_WALK = 0;
const UNTRACKED_WALK = 1;
const LOCAL_WALK = 2;
/** Past this depth (a cycle, or a long linked list) the untracked walk gives up. */
const UNTRACKED_MAX_DEPTH = 1000;
/** Past this many containers (objects shared many times over) the untracked walk gives up. */
const UNTRACKED_MAX_VISITS = 5000000;
/** V8's serializer recurses; far deeper than this it would overflow the stack anyway. */
const MAX_DEPTH = 10000;
const DONE = { done: true };
const GETTER = { getter: true };
const RETRY = { retry: true };

function arrayCursor(array) {
  let i = 0;
  return () => (i < array.length ? array[i++] : DONE);
}

function objectCursor(object) {
  const keys = objectKeys(object);
  let i = 0;
  return () => {
    while (i < keys.length) {
      const descriptor = getOwnPropertyDescriptor(object, keys[i]);
      i += 1;
      if (descriptor === undefined) continue;
      return 'value' in descriptor ? descriptor.value : GETTER;
    }
    return DONE;
  };
}

function mapCursor(map) {
  const iterator = reflectApply(mapEntries, map, []);
  let entryValue = DONE;
  return () => {
    if (entryValue !== DONE) {
      const item = entryValue;
      entryValue = DONE;
      return item;
    }
    const step = reflectApply(mapIteratorNext, iterator, []);
    if (step.done) return DONE;
    entryValue = step.value[1];
    return step.value[0];
  };
}

function setCursor(set) {
  const iterator = reflectApply(setValues, set, []);
  return () => {
    const step = reflectApply(setIteratorNext, iterator, []);
    return step.done ? DONE : step.value;
  };
}

function singleCursor(item) {
  let given = false;
  return () => {
    if (given) return DONE;
    given = true;
    return item;
  };
}

/**
 * Looks at one item of target 'index': undefined if there is nothing (more) to walk into, a
 * cursor over its contents, RETRY if the walk must change mode, or what makes it unstorable.
 */
function enterItem(item, index, isRoot, mode, localSeen) {
  if (typeof item === 'function') return 'function';
  if (typeof item === 'symbol') return 'symbol';
  if (item === null || typeof item !== 'object') return undefined;
  if (!isRoot) {
    const owner = reflectApply(mapGet, snapshotRoots, [item]);
    if (owner !== undefined && owner !== index) joinGroups(owner, index);
  }
  if (mode === SHARED_WALK) {
    const owner = reflectApply(mapGet, snapshotSeen, [item]);
    if (owner === index) return undefined;
    if (owner !== undefined && snapshotChecked[owner]) {
      joinGroups(owner, index);
      return undefined;
    }
    // Unseen, or seen only by a target that turned out unstorable: ours to walk.
    if (owner === undefined && mapSize(snapshotSeen) >= snapshotSeenLimit) return RETRY;
    reflectApply(mapSet, snapshotSeen, [item, index]);
  } else if (mode === LOCAL_WALK) {
    if (reflectApply(setHas, localSeen, [item])) return undefined;
    if (reflectApply(setSize, localSeen, []) >= snapshotSeenLimit) return 'too large to check';
    reflectApply(setAdd, localSeen, [item]);
  }
  const prototype = getPrototypeOf(item);
  const kind = prototype === null ? 'object' : reflectApply(mapGet, cloneKinds, [prototype]);
  if (kind === undefined) return instanceLabel(prototype);
  if (typeof kind !== 'string') return kind.refused;
  switch (kind) {
    case 'object': return objectCursor(item);
    case 'array': return arrayCursor(item);
    case 'map': return mapCursor(item);
    case 'set': return setCursor(item);
    case 'typed-array': return singleCursor(reflectApply(typedArrayBuffer, item, []));
    case 'data-view': return singleCursor(reflectApply(dataViewBuffer, item, []));
    default: return undefined;
  }
}

/** Why the value would not come back as it is from a structured clone, undefined if it would, or RETRY. */
function walkValue(root, index, mode) {
  const localSeen = mode === LOCAL_WALK ? new SetConstructor() : undefined;
  const cursors = [];
  let visits = 0;
  let item = root;
  for (;;) {
    if (item === GETTER) return 'contains a getter';
    if (item !== DONE) {
      const entered = enterItem(item, index, cursors.length === 0, mode, localSeen);
      if (entered === RETRY) return RETRY;
      if (typeof entered === 'string') {
        if (cursors.length === 0) return entered;
        return 'contains ' + (reflectApply(regExpExec, VOWEL_START, [entered]) === null ? 'a ' : 'an ') + entered;
      }
      if (entered !== undefined) {
        visits += 1;
        if (mode === UNTRACKED_WALK && (cursors.length >= UNTRACKED_MAX_DEPTH || visits > UNTRACKED_MAX_VISITS)) return RETRY;
        if (cursors.length >= MAX_DEPTH) return 'too deeply nested';
        cursors[cursors.length] = entered;
      }
    }
    if (cursors.length === 0) return undefined;
    item = cursors[cursors.length - 1]();
    if (item === DONE) cursors.length -= 1;
  }
}

function cloneProblem(value, index) {
  if (snapshotSeen !== undefined) {
    const problem = walkValue(value, index, SHARED_WALK);
    if (problem !== RETRY) return problem;
    snapshotSeen = undefined; // too many objects to remember: let the map go before walking on
  }
  const problem = walkValue(value, index, UNTRACKED_WALK);
  return problem === RETRY ? walkValue(value, index, LOCAL_WALK) : problem;
}

/** A target's slot: its value, or why it has none we could store. */
function readSnapshotSlot(target) {
  let owner = global;
  let key = target;
  if (target === null) {
    const answer = getOwnPropertyDescriptor(global, 'answer');
    if (answer === undefined || !('value' in answer) || answer.value === null || typeof answer.value !== 'object') {
      return { value: '' };
    }
    owner = answer.value;
    key = 'content';
  }
  const descriptor = getOwnPropertyDescriptor(owner, key);
  if (descriptor === undefined) return target === null ? { value: undefined } : { problem: 'deleted' };
  if (!('value' in descriptor)) return { problem: 'getter' };
  return { value: descriptor.value };
}

function describeFunction(fn) {
  let source;
  try {
    source = reflectApply(functionToString, fn, []);
  } catch {
    return { kind: 'skip', reason: 'function without source' };
  }
  if (reflectApply(regExpExec, NATIVE_SOURCE, [source]) === null) return { kind: 'function', source };
  let name = '';
  try {
    const descriptor = getOwnPropertyDescriptor(fn, 'name');
    if (descriptor !== undefined && typeof descriptor.value === 'string') name = descriptor.value;
  } catch {}
  return { kind: 'skip', reason: name.slice(0, 6) === 'bound ' ? 'bound function' : 'native function' };
}

function inspectTarget(index) {
  const target = snapshotTargets[index];
  const slot = readSnapshotSlot(target);
  if (slot.problem !== undefined) return { kind: 'skip', reason: slot.problem };
  if (typeof slot.value === 'function' && target !== null) return describeFunction(slot.value);
  const problem = cloneProblem(slot.value, index);
  if (problem !== undefined) return { kind: 'skip', reason: problem };
  snapshotChecked[index] = true;
  return { kind: 'value' };
}

function groupRoots() {
  const roots = [];
  for (let i = 0; i < snapshotTargets.length; i++) roots[i] = groupRoot(i);
  return roots;
}

function targetValues(indices) {
  const values = [];
  for (let i = 0; i < indices.length; i++) values[i] = readSnapshotSlot(snapshotTargets[indices[i]]).value;
  return values;
}

function restoreTargets(targets, values) {
  const restored = [];
  for (let i = 0; i < targets.length; i++) {
    const target = targets[i];
    if (target === null) {
      global.answer.content = values[i];
      restored[i] = true;
    } else if (typeof target === 'string' && builtinNames[target] !== true) {
      // What assigning a new global makes, minus assignment's special cases ('__proto__').
      defineProperty(global, target, { __proto__: null, value: values[i], writable: true, enumerable: true, configurable: true });
      restored[i] = true;
    } else {
      restored[i] = false;
    }
  }
  return restored;
}

function snapshotHelper(operation, argument, value) {
  switch (operation) {
    case 'begin': return beginSnapshot(argument);
    case 'inspect': return inspectTarget(argument);
    case 'groups': return groupRoots();
    case 'values': return targetValues(argument);
    case 'end': endSnapshot(); return true;
    case 'restore': return restoreTargets(argument, value);
    case 'restore-function': return restoreTargets([argument], [value])[0];
    case 'restore-ready': global.answer.ready = value === true; return true;
    default: throw new TypeError('unknown snapshot operation ' + String(operation));
  }
}
`;
