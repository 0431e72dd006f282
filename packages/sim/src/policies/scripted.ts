/**
 * The scripted policy: replies consumed in order (or computed by a function),
 * the simulator's counterpart of a mock language model in tests.
 */
import type { Policy, PolicyReply, SimRequest } from './policy.ts';

export type ScriptedReplyFunction = (
  request: SimRequest,
  index: number,
) => PolicyReply | Promise<PolicyReply>;

export function createScriptedPolicy(
  replies: readonly PolicyReply[] | ScriptedReplyFunction,
): Policy {
  if (typeof replies === 'function') return { reply: replies };
  const script = [...replies];
  return {
    reply(_request, index) {
      const next = script[index];
      if (next !== undefined) return next;
      // Running out is a test bug; say so loudly rather than inventing a reply.
      return {
        status: 500,
        content: `scripted policy exhausted: request ${index + 1} but only ${script.length} replies were scripted`,
      };
    },
  };
}
