/**
 * What the in-isolate step runner reports, checked on the host side.
 *
 * The runner's result is a structured-clone copy of an object built inside the sandbox. User code
 * cannot replace the runner, but it can patch the builtins the runner uses, so nothing about the
 * copy is trusted: fields of the wrong type are dropped rather than passed on.
 */
import type { StepError, StepResult, VariableInfo } from '@rlm/shared';

/** A step's result before the session adds timing and reset information. */
export type StepSummary = Omit<StepResult, 'durationMs' | 'reset'>;

export function parseStepSummary(raw: unknown, outputCap: number): StepSummary {
  const record = isRecord(raw) ? raw : {};
  const output = typeof record['output'] === 'string' ? record['output'].slice(0, outputCap) : '';
  const total =
    typeof record['outputTotalChars'] === 'number' ? record['outputTotalChars'] : output.length;
  const error = parseStepError(record['error']);
  const final = record['final'];
  const partialAnswer = record['partialAnswer'];
  const pendingAwaited = record['pendingAwaited'];
  return {
    output,
    outputTotalChars: Math.max(total, output.length),
    ...(error === undefined ? {} : { error }),
    ...(typeof final === 'string' ? { final: { value: final } } : {}),
    ...(typeof partialAnswer === 'string' ? { partialAnswer } : {}),
    variables: parseVariables(record['variables']),
    pendingAwaited: typeof pendingAwaited === 'number' ? pendingAwaited : 0,
  };
}

export function parseVariables(raw: unknown): VariableInfo[] {
  if (!Array.isArray(raw)) return [];
  const variables: VariableInfo[] = [];
  for (const item of raw) {
    if (!isRecord(item) || typeof item['name'] !== 'string' || typeof item['type'] !== 'string')
      continue;
    const size = item['size'];
    variables.push({
      name: item['name'],
      type: item['type'],
      ...(typeof size === 'number' ? { size } : {}),
    });
  }
  return variables;
}

function parseStepError(raw: unknown): StepError | undefined {
  if (!isRecord(raw)) return undefined;
  return {
    name: typeof raw['name'] === 'string' ? raw['name'] : 'Error',
    message: typeof raw['message'] === 'string' ? raw['message'] : '',
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
