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
    if (depth >= leafDepth)
      return repl(`FINAL(await llm_query('leaf at depth=${depth} ' + Math.random()))`);
    return repl(
      `const below = await rlm_query('child at depth=${depth + 1}'); FINAL('d${depth}>' + below)`,
    );
  };
}

/**
 * The smallest depth-2 tree: the root starts one child RLM with `rlm_query('child prompt')`,
 * the child asks one `llm_query('the leaf prompt')`, and that plain sub-call answers 'leaf answer'.
 * The final answer is 'root>leaf answer'.
 */
export function childAndLeaf(): ScriptedReplyFunction {
  return (request) => {
    if (!isSessionTurn(request)) return 'leaf answer';
    const child = (request.messages[1]?.content ?? '').includes('child prompt');
    return child
      ? repl(`FINAL(await llm_query('the leaf prompt'))`)
      : repl(`FINAL('root>' + (await rlm_query('child prompt')))`);
  };
}
