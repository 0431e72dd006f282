/**
 * In-isolate source: the REPL's globals and its step runner.
 *
 * Runs once per isolate through `context.evalClosure` with two host references as `$0` (call a
 * host function) and `$1` (append printed text), the output cap as `$2` and the final-answer cap
 * (characters) as `$3`, and the names of the caller's tools as `$4` (a copied array). The references stay
 * in this closure's constants and are never stored on an object, passed to a function the user
 * can replace, or made global: an `ivm.Reference` in reach of user code is a way out of the
 * sandbox. The closure is strict so that stack-trace APIs (`CallSite#getFunction`, `getThis`) and
 * `fn.caller` reveal nothing about its frames.
 *
 * Intrinsics are captured before any user code runs, so a step that patches `JSON` or `Object`
 * only breaks itself. The closure returns `{ runStep, listVariables, snapshotHelper }` to the host.
 */
import { DEFAULT_MAX_PENDING_PROMPT_CHARS } from '@rlm/shared';
import { ANSWERS_AND_VARIABLES_SOURCE } from './answers-and-variables-source.ts';
import { FORMAT_VALUE_SOURCE } from './format-value-source.ts';
import { OFF_HEAP_LOCKDOWN_SOURCE } from './off-heap-lockdown-source.ts';
import { SNAPSHOT_SOURCE } from './snapshot-source.ts';

export const BOOTSTRAP_SOURCE = String.raw`
'use strict';
const callHostRef = $0;
const writeOutputRef = $1;
const outputCap = $2;
const answerCap = $3;
const toolNames = $4;
const promptCharsCap = ${DEFAULT_MAX_PENDING_PROMPT_CHARS};

${OFF_HEAP_LOCKDOWN_SOURCE}

const global = globalThis;
const jsonStringify = JSON.stringify;
const objectKeys = Object.keys;
const getOwnPropertyNames = Object.getOwnPropertyNames;
const getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
const getPrototypeOf = Object.getPrototypeOf;
const defineProperty = Object.defineProperty;
const freeze = Object.freeze;
const objectIs = Object.is;
const isArray = Array.isArray;
const reflectApply = Reflect.apply;
const PromiseConstructor = Promise;
const weakMapGet = WeakMap.prototype.get;
const weakMapSet = WeakMap.prototype.set;

// Null prototypes: isolated-vm reads these options, and inherited properties must not change them.
const CALL_OPTIONS = freeze({
  __proto__: null,
  arguments: freeze({ __proto__: null, copy: true }),
  result: freeze({ __proto__: null, promise: true, copy: true }),
});
const YIELD_OPTIONS = freeze({ __proto__: null });


${FORMAT_VALUE_SOURCE}

// ---- captured output --------------------------------------------------------------------------

let output = newOutput();
function newOutput() {
  return { kept: 0, total: 0, text: '', sent: 0, step: 0 };
}
function emit(text) {
  output.total += text.length;
  const room = outputCap - output.kept;
  if (room <= 0) return;
  const piece = text.length <= room ? text : text.slice(0, room);
  output.kept += piece.length;
  output.text += piece;
  // Every print reaches the host at once: a step killed in a synchronous loop right after
  // printing (the watchdog cannot interrupt it politely) still reports what it printed. Text past
  // the cap never gets here, so this costs at most one host message per kept print. The step's
  // result carries the whole kept text again, because these messages may arrive after it.
  flushOutput();
}
function flushOutput() {
  if (output.sent === output.text.length) return;
  const text = output.text.slice(output.sent);
  output.sent = output.text.length;
  writeOutputRef.applyIgnored(undefined, [text, output.total, undefined, output.step]);
}
function print(...args) {
  emit(formatArgs(args) + '\n');
}

// ---- host calls -------------------------------------------------------------------------------

let inFlight = 0;
let callsStarted = 0;
let idleWaiters = [];
const callStates = new WeakMap();

// The host mirrors answer.content at every sub-call, so a step the watchdog or a budget kills
// still leaves its best partial answer behind.
let lastReportedContent;
function reportPartialAnswer() {
  let content;
  try { content = global.answer !== null && typeof global.answer === 'object' ? global.answer.content : undefined; } catch {}
  if (content === lastReportedContent) return;
  lastReportedContent = content;
  const partial = readAnswer().partialAnswer;
  // An answer past the cap could never be returned: do not copy it out of the isolate either.
  if (partial !== undefined && partial.length <= answerCap) writeOutputRef.applyIgnored(undefined, ['', output.total, partial, output.step]);
}

function callHost(name, payload, options) {
  flushOutput();
  reportPartialAnswer();
  const state = { settled: false, value: undefined };
  callsStarted += 1;
  inFlight += 1;
  const promise = (async () => {
    let value;
    try {
      value = await callHostRef.apply(undefined, [name, payload, options], CALL_OPTIONS);
    } catch (error) {
      value = 'Error: ' + name + ': the arguments could not be sent (' + errorMessage(error) + ')';
    }
    state.settled = true;
    state.value = value;
    inFlight -= 1;
    if (inFlight === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (let i = 0; i < waiters.length; i++) waiters[i]();
    }
    return value;
  })();
  reflectApply(weakMapSet, callStates, [promise, state]);
  return promise;
}

// Prompts are counted before they are copied out: one large string passed as many prompts of a
// batch would be copied once per prompt, and the host's own cap on pending prompt characters
// only sees a batch after its copy.
function guardedCall(name, payload, options, batched) {
  const list = batched ? (isArray(payload) ? payload : []) : [payload];
  let total = 0;
  for (let i = 0; i < list.length; i++) {
    const prompt = list[i];
    if (typeof prompt === 'string') total += prompt.length;
  }
  if (total <= promptCharsCap) return callHost(name, payload, options);
  const message = 'Error: ' + name + ': its prompts hold ' + total + ' characters, more than the ' + promptCharsCap +
    ' the request may have pending at once (each is a copy in host memory); send smaller slices, fewer at once';
  if (!batched) return Promise.resolve(message);
  const answers = [];
  for (let i = 0; i < list.length; i++) answers[i] = message;
  return Promise.resolve(answers);
}

function errorMessage(error) {
  try {
    return error instanceof Error ? String(error.message) : String(error);
  } catch {
    return 'unknown error';
  }
}

/** Our own sub-call promises can say whether they settled; other promises cannot be looked into. */
function describePromise(promise, inspectInner) {
  const state = reflectApply(weakMapGet, callStates, [promise]);
  if (state === undefined) return 'Promise { <unknown> }';
  return state.settled ? 'Promise { ' + inspectInner(state.value) + ' }' : 'Promise { <pending> }';
}

/**
 * Waits for sub-calls the step started but did not await. After they settle, one round trip to
 * the host ends the current isolate task, so callbacks the user chained on them (.then(...))
 * have run, and may have started new calls, before we look again.
 */
async function settlePending() {
  const pendingAtEnd = inFlight;
  const startedAtEnd = callsStarted;
  if (pendingAtEnd === 0) return 0;
  for (;;) {
    if (inFlight > 0) await new PromiseConstructor((resolve) => { idleWaiters.push(resolve); });
    await writeOutputRef.apply(undefined, ['', output.total], YIELD_OPTIONS);
    if (inFlight === 0) break;
  }
  return pendingAtEnd + (callsStarted - startedAtEnd);
}

${ANSWERS_AND_VARIABLES_SOURCE}

// ---- snapshots --------------------------------------------------------------------------------

${SNAPSHOT_SOURCE}

// ---- one step ---------------------------------------------------------------------------------

function describeError(thrown, fileName) {
  if (thrown === null || (typeof thrown !== 'object' && typeof thrown !== 'function')) {
    return { name: 'Error', message: 'Uncaught ' + inspect(thrown) };
  }
  let name = 'Error';
  let message = '';
  let stack = '';
  try { if (typeof thrown.name === 'string' && thrown.name !== '') name = thrown.name; } catch {}
  try { if (thrown.message !== undefined) message = String(thrown.message); } catch {}
  try { if (typeof thrown.stack === 'string') stack = thrown.stack; } catch {}
  if (!(thrown instanceof Error) && message === '') message = 'Uncaught ' + inspect(thrown);
  const where = stack.match(new RegExp(fileName.replace('.', '\\.') + ':(\\d+):\\d+'));
  return { name, message: where === null ? message : message + ' (line ' + where[1] + ')' };
}

function answerTooLarge(chars) {
  return 'the final answer has ' + chars + ' characters, more than the limit of ' + answerCap +
    ' (maxAnswerChars), so it was not accepted; answer with what was asked for, summarised, not with the material itself';
}

function markLastStatement() {
  step.markedAt = output.total;
}

function readAnswer() {
  let partialAnswer;
  let ready = false;
  try {
    const answer = global.answer;
    if (answer !== null && typeof answer === 'object') {
      const content = answer.content;
      if (content !== undefined && content !== null && content !== '') partialAnswer = stringifyFinal(content);
      ready = answer.ready === true;
    }
  } catch {}
  return { partialAnswer, ready };
}

async function runStep(hoist, main, fileName, stepNumber) {
  output = newOutput();
  // The host drops output messages of any other step: they can arrive late, after the step ended.
  output.step = stepNumber;
  step = newStep();
  let error;
  try {
    if (hoist !== undefined) reflectApply(hoist, global, [global]);
    const boxed = await reflectApply(main, global, [global, markLastStatement]);
    // Echo the last expression like a notebook, unless that statement printed something itself.
    if (boxed !== undefined && boxed[0] !== undefined && output.total === step.markedAt) {
      emit(formatForPrint(boxed[0]) + '\n');
    }
  } catch (thrown) {
    error = describeError(thrown, fileName);
  }
  const pendingAwaited = await settlePending();
  const answer = readAnswer();
  let final = step.final;
  if (final === undefined && step.finalError === undefined && answer.ready) final = answer.partialAnswer ?? '';
  if (error === undefined && step.finalError !== undefined) error = { name: 'FinalVarError', message: step.finalError };
  // Checked here so that an oversized answer never leaves the isolate; the session loop checks again.
  if (final !== undefined && final.length > answerCap) {
    error = { name: 'AnswerTooLargeError', message: answerTooLarge(final.length) };
    final = undefined;
  }
  let partialAnswer = answer.partialAnswer;
  if (partialAnswer !== undefined && partialAnswer.length > answerCap) partialAnswer = undefined;
  return {
    output: output.text,
    outputTotalChars: output.total,
    error,
    final,
    partialAnswer,
    variables: listVariables(),
    pendingAwaited,
  };
}

// ---- globals ----------------------------------------------------------------------------------

const printToConsole = (...args) => { print(...args); };
const api = {
  print,
  console: { log: printToConsole, info: printToConsole, warn: printToConsole, error: printToConsole, debug: printToConsole, trace: printToConsole, dir: printToConsole, table: printToConsole },
  llm_query: function llm_query(prompt, options) { return guardedCall('llm_query', prompt, options, false); },
  llm_query_batched: function llm_query_batched(prompts, options) { return guardedCall('llm_query_batched', prompts, options, true); },
  rlm_query: function rlm_query(prompt, options) { return guardedCall('rlm_query', prompt, options, false); },
  rlm_query_batched: function rlm_query_batched(prompts, options) { return guardedCall('rlm_query_batched', prompts, options, true); },
  FINAL,
  FINAL_VAR,
  SHOW_VARS,
  answer: { content: '', ready: false },
};
// Caller tools: one async function each, taking one argument (validated on the host side).
// The names were checked by the caller (identifiers that shadow nothing above).
for (let i = 0; i < toolNames.length; i++) {
  const toolName = toolNames[i];
  if (api[toolName] !== undefined) continue;
  const tool = { [toolName]: function (args) { return callHost('call_tool', args, toolName); } }[toolName];
  api[toolName] = tool;
}
for (const name of objectKeys(api)) {
  defineProperty(global, name, { value: api[name], writable: true, configurable: true, enumerable: false });
}

// Everything on the global object now (builtins, context, our API) is not a user variable.
const builtinNames = { __proto__: null };
for (const name of getOwnPropertyNames(global)) builtinNames[name] = true;

return { runStep, listVariables, snapshotHelper };
`;
