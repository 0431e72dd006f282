/**
 * In-isolate source: how printed values and final answers are turned into text.
 *
 * This is JavaScript that runs inside the sandbox (it is pasted into the bootstrap closure), so it
 * can only use what the isolate has. It imitates Node's `util.inspect` roughly, because models have
 * seen a lot of Node output: strings print raw at top level and quoted inside structures, objects
 * print as `{ a: 1 }` and break onto indented lines when long, depth and collection sizes are capped.
 *
 * It expects these names from the enclosing bootstrap: `jsonStringify`, `objectKeys`,
 * `getOwnPropertyDescriptor`, `getPrototypeOf`, `isArray`, `objectIs`, `describePromise`.
 */
export const FORMAT_VALUE_SOURCE = String.raw`
const INSPECT_MAX_DEPTH = 2;
const INSPECT_MAX_ITEMS = 100;
const INSPECT_MAX_STRING = 10000;
const INSPECT_LINE_WIDTH = 72;
const IDENTIFIER_KEY = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** print() and console.log(): strings raw, everything else inspected. */
function formatForPrint(value) {
  return typeof value === 'string' ? value : inspect(value);
}

function formatArgs(args) {
  let text = '';
  for (let i = 0; i < args.length; i++) text += (i === 0 ? '' : ' ') + formatForPrint(args[i]);
  return text;
}

/** A final answer is text: strings as they are, other values as pretty JSON, else String(). */
function stringifyFinal(value) {
  if (typeof value === 'string') return value;
  try {
    const json = jsonStringify(value, null, 2);
    if (typeof json === 'string') return json;
  } catch {}
  try {
    return String(value);
  } catch {
    return inspect(value);
  }
}

function inspect(value) {
  try {
    return inspectValue(value, 0, []);
  } catch (error) {
    return '[value could not be formatted]';
  }
}

function quoteString(text) {
  const cut = text.length > INSPECT_MAX_STRING;
  const shown = cut ? text.slice(0, INSPECT_MAX_STRING) : text;
  const body = jsonStringify(shown).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'");
  return "'" + body + "'" + (cut ? '... ' + (text.length - INSPECT_MAX_STRING) + ' more characters' : '');
}

function functionLabel(fn) {
  let source = '';
  try { source = Function.prototype.toString.call(fn); } catch {}
  const name = typeof fn.name === 'string' && fn.name !== '' ? fn.name : '';
  if (source.startsWith('class')) return '[class ' + (name || '(anonymous)') + ']';
  return name ? '[Function: ' + name + ']' : '[Function (anonymous)]';
}

function inspectValue(value, depth, seen) {
  switch (typeof value) {
    case 'string': return quoteString(value);
    case 'number': return objectIs(value, -0) ? '-0' : String(value);
    case 'bigint': return String(value) + 'n';
    case 'boolean':
    case 'undefined': return String(value);
    case 'symbol': return value.toString();
    case 'function': return functionLabel(value);
  }
  if (value === null) return 'null';
  if (seen.includes(value)) return '[Circular]';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (value instanceof RegExp) return String(value);
  if (value instanceof Error) return String(value.name) + ': ' + String(value.message);
  if (value instanceof Promise) return describePromise(value, (inner) => inspectValue(inner, depth + 1, seen));
  if (depth > INSPECT_MAX_DEPTH) return isArray(value) ? '[Array]' : '[Object]';

  seen.push(value);
  try {
    if (isArray(value)) return joinEntries('', '[', ']', arrayEntries(value, depth, seen), depth);
    if (value instanceof Map) {
      const entries = [];
      for (const [key, item] of value) {
        if (entries.length >= INSPECT_MAX_ITEMS) { entries.push('... ' + (value.size - INSPECT_MAX_ITEMS) + ' more items'); break; }
        entries.push(inspectValue(key, depth + 1, seen) + ' => ' + inspectValue(item, depth + 1, seen));
      }
      return joinEntries('Map(' + value.size + ') ', '{', '}', entries, depth);
    }
    if (value instanceof Set) {
      const entries = [];
      for (const item of value) {
        if (entries.length >= INSPECT_MAX_ITEMS) { entries.push('... ' + (value.size - INSPECT_MAX_ITEMS) + ' more items'); break; }
        entries.push(inspectValue(item, depth + 1, seen));
      }
      return joinEntries('Set(' + value.size + ') ', '{', '}', entries, depth);
    }
    if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
      return joinEntries(value.constructor.name + '(' + value.length + ') ', '[', ']', arrayEntries(value, depth, seen), depth);
    }
    if (value instanceof ArrayBuffer) return 'ArrayBuffer { byteLength: ' + value.byteLength + ' }';
    return joinEntries(objectPrefix(value), '{', '}', objectEntries(value, depth, seen), depth);
  } finally {
    seen.pop();
  }
}

function arrayEntries(list, depth, seen) {
  const entries = [];
  const shown = Math.min(list.length, INSPECT_MAX_ITEMS);
  for (let i = 0; i < shown; i++) entries.push(inspectValue(list[i], depth + 1, seen));
  if (list.length > shown) entries.push('... ' + (list.length - shown) + ' more items');
  return entries;
}

function objectEntries(object, depth, seen) {
  const entries = [];
  const keys = objectKeys(object);
  for (const key of keys) {
    const descriptor = getOwnPropertyDescriptor(object, key);
    const label = IDENTIFIER_KEY.test(key) ? key : quoteString(key);
    if (descriptor === undefined) continue;
    if (!('value' in descriptor)) {
      entries.push(label + ': ' + (descriptor.get && descriptor.set ? '[Getter/Setter]' : descriptor.get ? '[Getter]' : '[Setter]'));
    } else {
      entries.push(label + ': ' + inspectValue(descriptor.value, depth + 1, seen));
    }
  }
  return entries;
}

function objectPrefix(object) {
  const prototype = getPrototypeOf(object);
  if (prototype === null) return '[Object: null prototype] ';
  const constructor = prototype.constructor;
  const name = typeof constructor === 'function' ? constructor.name : '';
  return name === 'Object' || name === '' ? '' : name + ' ';
}

/**
 * One line when short (Node's style); otherwise one entry per line indented by depth, except that
 * many short entries (a list of numbers, say) share lines, as Node groups them.
 */
function joinEntries(prefix, open, close, entries, depth) {
  if (entries.length === 0) return prefix + open + close;
  const oneLine = prefix + open + ' ' + entries.join(', ') + ' ' + close;
  const multiLine = entries.some((entry) => entry.includes('\n'));
  if (!multiLine && oneLine.length + depth * 2 <= INSPECT_LINE_WIDTH) return oneLine;
  const indent = '  '.repeat(depth + 1);
  const lines = [];
  if (!multiLine && entries.length > 6 && entries.every((entry) => entry.length <= 16 || entry.startsWith('... '))) {
    let line = '';
    for (const entry of entries) {
      if (line !== '' && indent.length + line.length + entry.length + 2 > INSPECT_LINE_WIDTH) {
        lines.push(line.slice(0, -1));
        line = '';
      }
      line += entry + ', ';
    }
    lines.push(line.slice(0, -2));
  } else {
    for (let i = 0; i < entries.length; i++) lines.push(entries[i] + (i === entries.length - 1 ? '' : ','));
  }
  return prefix + open + '\n' + indent + lines.join('\n' + indent) + '\n' + '  '.repeat(depth) + close;
}
`;
