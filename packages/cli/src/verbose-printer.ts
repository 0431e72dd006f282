/**
 * `rlm run --verbose` (and `rlm demo`): what the model did, as it happens.
 * Each turn's code blocks, the output fed back to the model, and one line per
 * batch of sub-calls (the calls one REPL step issued), indented by depth.
 * Stdout stays reserved for the answer; this goes to stderr.
 */
import type { RlmEvent } from '@rlm/shared';

export interface VerboseOptions {
  /** Characters of a step's output printed (the model may have been shown more); default 2,000. */
  readonly maxOutputChars?: number;
}

interface StepCalls {
  started: number;
  llm: number;
  rlm: number;
  cached: number;
  failed: number;
  firstStartMs: number;
}

export function createVerbosePrinter(
  write: (line: string) => void,
  options: VerboseOptions = {},
): (event: RlmEvent) => void {
  const maxOutput = options.maxOutputChars ?? 2_000;
  // Sub-calls are grouped by the step that issued them; the line is printed when that step ends.
  const batches = new Map<string, StepCalls>();
  const stepKey = (sessionId: string, step: number | undefined): string =>
    `${sessionId}#${step ?? 0}`;
  return (event) => {
    const pad = '  '.repeat(event.depth);
    const block = (title: string, text: string): void => {
      write(`${pad}${title}`);
      for (const line of text.split('\n')) write(`${pad}  │ ${line}`);
    };
    switch (event.type) {
      case 'session-start':
        if (event.depth > 0)
          write(
            `${pad}child session at depth ${event.depth} (${event.model}, ${event.contextChars ?? 0} characters of context)`,
          );
        break;
      case 'iteration-start':
        write(
          `${pad}── turn ${event.iteration}${event.depth > 0 ? ` (depth ${event.depth})` : ''}`,
        );
        break;
      case 'completion-end':
        write(
          `${pad}model ${event.model}: ${event.usage.inputTokens.toLocaleString('en-US')} tokens in, ${event.usage.outputTokens.toLocaleString('en-US')} out, ${(event.durationMs / 1000).toFixed(1)} s${event.forcedFinal ? ' (asked for the final answer)' : ''}`,
        );
        break;
      case 'step-start':
        block(`code (step ${event.step}):`, event.code);
        break;
      case 'subcall-start': {
        const key = stepKey(event.sessionId, event.step);
        const batch = batches.get(key) ?? {
          started: 0,
          llm: 0,
          rlm: 0,
          cached: 0,
          failed: 0,
          firstStartMs: performance.now(),
        };
        batch.started += 1;
        if (event.kind === 'llm') batch.llm += 1;
        else batch.rlm += 1;
        batches.set(key, batch);
        break;
      }
      case 'subcall-end': {
        // The end event does not name the step: count it against the session's open batch.
        const batch = [...batches.entries()].find(([key]) =>
          key.startsWith(`${event.sessionId}#`),
        )?.[1];
        if (batch === undefined) break;
        if (event.cacheHit) batch.cached += 1;
        if (event.error !== undefined) batch.failed += 1;
        break;
      }
      case 'step-end': {
        const key = stepKey(event.sessionId, event.step);
        const batch = batches.get(key);
        if (batch !== undefined) {
          batches.delete(key);
          const kinds = [
            batch.llm > 0 ? `${batch.llm} llm_query` : '',
            batch.rlm > 0 ? `${batch.rlm} rlm_query` : '',
          ]
            .filter((kind) => kind !== '')
            .join(' + ');
          write(
            `${pad}sub-calls: ${kinds} (${batch.cached} from cache, ${batch.failed} failed), ${((performance.now() - batch.firstStartMs) / 1000).toFixed(1)} s`,
          );
        }
        if (event.error !== undefined)
          write(`${pad}error: ${event.error.name}: ${event.error.message}`);
        if (event.reset !== undefined) write(`${pad}the REPL was reset (${event.reset})`);
        const shown =
          event.output.length > maxOutput
            ? `${event.output.slice(0, maxOutput)}\n… (${(event.output.length - maxOutput).toLocaleString('en-US')} more characters)`
            : event.output;
        if (event.output !== '')
          block(`output (${event.outputTotalChars.toLocaleString('en-US')} characters):`, shown);
        if (event.final !== undefined) write(`${pad}FINAL from code`);
        break;
      }
      case 'tool-end':
        write(
          `${pad}tool ${event.name}: ${event.error === undefined ? 'ok' : event.error}, ${(event.durationMs / 1000).toFixed(2)} s`,
        );
        break;
      case 'compaction':
        write(
          `${pad}compacted ${event.messagesCompacted} older messages into a summary: ${event.tokensBefore.toLocaleString('en-US')} -> ${event.tokensAfter.toLocaleString('en-US')} tokens`,
        );
        break;
      case 'iteration-end':
        if (event.codeBlocks === 0 && !event.final) write(`${pad}(no code in the reply)`);
        break;
      case 'session-end':
        write(
          `${pad}session at depth ${event.depth} ended: ${event.stopReason} after ${event.iterations} turns`,
        );
        break;
    }
  };
}
