/**
 * A scripted root model that recurses: at every depth below `leafDepth` its
 * code starts one child RLM with `rlm_query`, and at `leafDepth` it calls
 * `llm_query`; each session then answers FINAL with what came back. The
 * depth is read from the child prompt itself ("depth=N").
 */
import type { ScriptedReplyFunction } from '@rlm/sim';
import { isSessionTurn, repl, turnIndex } from './engine-requests.ts';

export function recursiveTree(leafDepth: number): ScriptedReplyFunction {
  return (request) => {
    if (!isSessionTurn(request)) return 'leaf-ok';
    const firstUser = request.messages[1]?.content ?? '';
    const depth = Number(/depth=(\d+)/.exec(firstUser)?.[1] ?? '0');
    if (turnIndex(request) > 0) return 'FINAL(unexpected second turn)';
    if (depth >= leafDepth) return repl(`FINAL(await llm_query('leaf at depth=${depth} ' + Math.random()))`);
    return repl(`const below = await rlm_query('child at depth=${depth + 1}'); FINAL('d${depth}>' + below)`);
  };
}
