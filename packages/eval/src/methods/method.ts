/** A way of answering an instance: the full RLM, the REPL-only RLM, or one direct call. */
import type { EvalInstance, MethodName, MethodOutcome } from '../types.ts';

export interface EvalMethod {
  readonly name: MethodName;
  /** Never throws for a failed answer: failures come back with stopReason "error". */
  run(instance: EvalInstance): Promise<MethodOutcome>;
}

/** What every method needs to reach the model. */
export interface EndpointSettings {
  readonly baseUrl?: string;
  readonly apiKey?: string;
  readonly model: string;
  readonly subModel: string;
  /** Engine settings (budgets, depth, iterations, ...) as `rlm run` flags give them. */
  readonly engineOverrides: Readonly<Record<string, unknown>>;
  readonly env: Readonly<Record<string, string | undefined>>;
}
