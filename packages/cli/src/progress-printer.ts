/**
 * Human progress on stderr while a request runs: one line per root turn and a
 * running count of sub-calls. Stdout stays reserved for the answer or JSON.
 */
import type { RlmEvent } from '@rlm/shared';

export function createProgressPrinter(write: (line: string) => void): (event: RlmEvent) => void {
  let subcalls = 0;
  let finished = 0;
  let failed = 0;
  let cacheHits = 0;
  return (event) => {
    switch (event.type) {
      case 'iteration-start':
        write(`${indent(event.depth)}turn ${event.iteration} (depth ${event.depth})`);
        break;
      case 'iteration-end':
        if (event.depth === 0 && subcalls > 0) {
          write(
            `  sub-calls so far: ${subcalls} (${finished} done, ${cacheHits} from cache, ${failed} failed)`,
          );
        }
        break;
      case 'subcall-start':
        subcalls += 1;
        break;
      case 'subcall-end':
        finished += 1;
        if (event.cacheHit) cacheHits += 1;
        if (event.error !== undefined) failed += 1;
        break;
      case 'compaction':
        write(
          `${indent(event.depth)}compacted ${event.messagesCompacted} older messages: ${event.tokensBefore.toLocaleString('en-US')} -> ${event.tokensAfter.toLocaleString('en-US')} tokens`,
        );
        break;
      case 'session-start':
      case 'session-end':
      case 'completion-end':
      case 'step-start':
      case 'step-end':
      case 'tool-end':
        break;
    }
  };
}

function indent(depth: number): string {
  return '  '.repeat(depth);
}
