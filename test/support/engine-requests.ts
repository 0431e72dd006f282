/** Helpers for scripted simulator policies in end-to-end tests. */
import { isEngineSessionRequest } from '@rlm/sim';
import type { SimRequest } from '@rlm/sim';

/** The engine's session turns carry its system prompt; sub-calls do not (the simulator's own rule). */
export function isSessionTurn(request: SimRequest): boolean {
  return isEngineSessionRequest(request.messages);
}

/** Assistant turns so far in a session request: 0 on the first turn. */
export function turnIndex(request: SimRequest): number {
  return request.messages.filter((message) => message.role === 'assistant').length;
}

export function lastUserMessage(request: SimRequest): string {
  return [...request.messages].reverse().find((message) => message.role === 'user')?.content ?? '';
}

export function repl(code: string): string {
  return '```repl\n' + code + '\n```';
}
