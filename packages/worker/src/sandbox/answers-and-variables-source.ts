/**
 * In-isolate source: FINAL, FINAL_VAR, SHOW_VARS and the variable listing the host reads after
 * each step. Pasted into the bootstrap closure (bootstrap-source.ts), whose names it uses:
 * `global`, `builtinNames`, `emit`, `stringifyFinal`, `getOwnPropertyDescriptor`, `objectKeys`,
 * `isArray`. `step` holds what the current step declared; the runner resets it per step.
 */
export const ANSWERS_AND_VARIABLES_SOURCE = String.raw`
let step = newStep();
function newStep() {
  return { final: undefined, finalError: undefined, markedAt: -1 };
}

function FINAL(value) {
  step.final = stringifyFinal(value);
  step.finalError = undefined;
}

function FINAL_VAR(name) {
  if (typeof name !== 'string') {
    step.final = undefined;
    step.finalError = 'FINAL_VAR expects the name of a variable as a string, e.g. FINAL_VAR("result"); use FINAL(value) to answer with a value';
    return;
  }
  const trimmed = name.trim();
  if (builtinNames[trimmed] === true || getOwnPropertyDescriptor(global, trimmed) === undefined) {
    step.final = undefined;
    step.finalError = 'FINAL_VAR: no variable named "' + trimmed + '"';
    return;
  }
  step.final = stringifyFinal(global[trimmed]);
  step.finalError = undefined;
}

function describeVariable(name) {
  const descriptor = getOwnPropertyDescriptor(global, name);
  if (descriptor === undefined || !('value' in descriptor)) return { name, type: 'accessor', size: undefined };
  const value = descriptor.value;
  try {
    if (value === null) return { name, type: 'null', size: undefined };
    if (typeof value === 'string') return { name, type: 'string', size: value.length };
    if (typeof value !== 'object') return { name, type: typeof value, size: undefined };
    if (isArray(value)) return { name, type: 'array', size: value.length };
    if (value instanceof Map) return { name, type: 'map', size: value.size };
    if (value instanceof Set) return { name, type: 'set', size: value.size };
    if (value instanceof Date) return { name, type: 'date', size: undefined };
    if (value instanceof RegExp) return { name, type: 'regexp', size: undefined };
    if (value instanceof Promise) return { name, type: 'promise', size: undefined };
    if (value instanceof Error) return { name, type: 'error', size: undefined };
    return { name, type: 'object', size: objectKeys(value).length };
  } catch {
    return { name, type: 'object', size: undefined };
  }
}

function listVariables() {
  const variables = [];
  const names = getOwnPropertyNames(global);
  for (let i = 0; i < names.length; i++) {
    if (builtinNames[names[i]] !== true) variables.push(describeVariable(names[i]));
  }
  return variables;
}

const SIZE_UNITS = { __proto__: null, string: 'chars', array: 'items', object: 'keys', map: 'entries', set: 'entries' };
function SHOW_VARS() {
  const variables = listVariables();
  let text = variables.length === 0 ? 'No user variables yet.\n' : 'Variables:\n';
  for (let i = 0; i < variables.length; i++) {
    const variable = variables[i];
    const unit = SIZE_UNITS[variable.type];
    const size = variable.size === undefined || unit === undefined ? '' : ' (' + variable.size + ' ' + unit + ')';
    text += '  ' + variable.name + ': ' + variable.type + size + '\n';
  }
  emit(text);
  return variables;
}
`;
