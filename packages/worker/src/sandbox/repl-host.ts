import type { SubcallOptions } from '@rlm/shared';

/**
 * The host functions user code can reach from inside the REPL. The worker wires them to the LLM
 * task queue (plain calls) and to child sessions (`rlm_query`).
 *
 * Implementations never throw or reject: a failure comes back as a string starting with
 * `Error:` (per item for the batched forms), which is what the model sees.
 */
export interface ReplHost {
  llmQuery(prompt: string, options: SubcallOptions): Promise<string>;
  llmQueryBatched(prompts: string[], options: SubcallOptions): Promise<string[]>;
  rlmQuery(prompt: string, options: SubcallOptions): Promise<string>;
  rlmQueryBatched(prompts: string[], options: SubcallOptions): Promise<string[]>;
  /** A caller tool: resolves with its JSON-safe result, or an `Error: ...` string. */
  callTool(name: string, args: unknown): Promise<unknown>;
}
