/**
 * What the root model reads after each turn: per code block, its (truncated)
 * output, error, reset notice and pending sub-calls, then the variable list.
 */
import type { StepResult, VariableInfo } from '@rlm/shared';
import { truncateOutput } from '../parsing/index.ts';

export const NUDGE_MESSAGE =
  'Your reply had no ```repl code block and no FINAL(...) line, so nothing ran. Continue working on `context` with code, or give the final answer with FINAL(answer).';

export function renderStepFeedback(
  results: readonly StepResult[],
  outputLimitChars: number,
): string {
  const sections: string[] = [];
  results.forEach((result, index) => {
    const header = results.length > 1 ? `[block ${index + 1} of ${results.length}] ` : '';
    const parts: string[] = [];
    const output = result.output.length > 0 ? truncateOutput(result.output, outputLimitChars) : '';
    const dropped = result.outputTotalChars - result.output.length;
    parts.push(
      output.length > 0 ? `${header}Output:\n${output}` : `${header}Output: (nothing printed)`,
    );
    if (dropped > 0)
      parts.push(`(${dropped.toLocaleString('en-US')} more printed characters were not kept)`);
    if (result.error !== undefined)
      parts.push(`${header}Error: ${result.error.name}: ${result.error.message}`);
    if (result.pendingAwaited > 0) {
      parts.push(
        `${header}Note: ${result.pendingAwaited} sub-call(s) were still running when the code finished (a missing await?). The engine waited for them; their results were discarded unless your code stored them.`,
      );
    }
    sections.push(parts.join('\n'));
  });
  const last = results.at(-1);
  if (last !== undefined) sections.push(renderVariables(last.variables));
  return sections.join('\n\n');
}

export function renderVariables(variables: readonly VariableInfo[]): string {
  if (variables.length === 0) return 'Variables: (none defined yet)';
  const shown = variables
    .map(
      (variable) =>
        `${variable.name}: ${variable.type}${variable.size === undefined ? '' : ` (${variable.size.toLocaleString('en-US')})`}`,
    )
    .join(', ');
  return `Variables: ${shown}`;
}

export function renderFinalVarFailure(name: string, detail: string): string {
  return `FINAL_VAR(${name}) failed: ${detail}. Define the variable first or answer with FINAL(value).`;
}
