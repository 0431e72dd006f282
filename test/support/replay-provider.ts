/**
 * A scripted provider that plays back a recorded trajectory: each root-model
 * request is answered with the reply recorded for the same messages (matched
 * by `requestHash`; a compaction's summary call likewise), each plain sub-call with the answer recorded for the same
 * model and prompt (matched by `promptHash`). A request the recording never
 * saw means the replay diverged: it is counted and fails the call.
 */
import { hashValue, RlmError, sha256Hex } from '@rlm/shared';
import type {
  CompletionRequest,
  CompletionResponse,
  LlmProvider,
  RlmEvent,
  SubcallStartEvent,
} from '@rlm/shared';

export interface ReplayProvider extends LlmProvider {
  /** Requests the recording had no answer for. */
  readonly misses: string[];
}

export function createReplayProvider(events: readonly RlmEvent[]): ReplayProvider {
  const turns = new Map<string, CompletionResponse>();
  const subcalls = new Map<string, CompletionResponse>();
  const starts = new Map<string, SubcallStartEvent>();
  for (const event of events) {
    if (event.type === 'completion-end') {
      turns.set(event.requestHash, {
        content: event.reply,
        usage: event.usage,
        model: event.model,
      });
    } else if (event.type === 'compaction') {
      // The summary call of a compaction is a system-prompted request like a turn.
      turns.set(event.requestHash, { content: event.summary, usage: event.usage, model: 'replay' });
    } else if (event.type === 'subcall-start') starts.set(event.callId, event);
    else if (event.type === 'subcall-end' && event.kind === 'llm' && event.answer !== undefined) {
      const start = starts.get(event.callId);
      if (start?.promptHash === undefined) continue;
      const usage = event.usage ?? { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 };
      subcalls.set(subcallKey(start.model, start.promptHash), {
        content: event.answer,
        usage,
        model: start.model,
      });
    }
  }
  const misses: string[] = [];
  return {
    misses,
    complete(request: CompletionRequest): Promise<CompletionResponse> {
      const isTurn = request.messages[0]?.role === 'system';
      const key = isTurn
        ? hashValue(request.messages)
        : subcallKey(request.model, sha256Hex(request.messages[0]?.content ?? ''));
      const recorded = (isTurn ? turns : subcalls).get(key);
      if (recorded === undefined) {
        misses.push(`${isTurn ? 'turn' : 'sub-call'} ${key}`);
        return Promise.reject(
          new RlmError('llm_http', `replay diverged: no recorded reply for ${key}`),
        );
      }
      return Promise.resolve(recorded);
    },
  };
}

function subcallKey(model: string, promptHash: string): string {
  return `${model}:${promptHash}`;
}
