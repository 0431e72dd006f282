/**
 * Options of the simulated model server, validated once by zod when the
 * server starts. `SimServerOptions` is what callers write (everything
 * optional); `ResolvedSimServerOptions` is what the server runs with.
 */
import { z } from 'zod';
import type { Policy } from '../policies/policy.ts';
import type { ScriptedReplyFunction } from '../policies/scripted.ts';

const isFunction = (value: unknown): boolean => typeof value === 'function';

export const ScriptedReply = z.union([
  z.string(),
  z.object({
    content: z.string().nullable(),
    delayMs: z.number().nonnegative().optional(),
    status: z.number().int().min(400).max(599).optional(),
  }),
]);

export const ScriptedPolicyOptions = z.object({
  type: z.literal('scripted'),
  replies: z.union([z.array(ScriptedReply), z.custom<ScriptedReplyFunction>(isFunction)]),
});
export type ScriptedPolicyOptions = z.input<typeof ScriptedPolicyOptions>;

export const SolverPolicyOptions = z.object({
  type: z.literal('solver'),
  /** Probability that the sub-call classifier mislabels a line (deterministic per line); default 0: a perfect classifier. */
  labelErrorRate: z.number().min(0).max(1).default(0),
  /** 'llm' fans chunks out with llm_query_batched, 'rlm' with rlm_query_batched (child RLMs); default 'llm', the cheaper plan. */
  strategy: z.enum(['llm', 'rlm']).default('llm'),
  /** Characters per chunk the root's code hands to one sub-call; default 50,000 (~12k tokens, a comfortable sub-call). */
  chunkChars: z.number().int().positive().default(50_000),
  /** Characters per sub-chunk inside a child RLM; default 12,500, a quarter of the default chunk. */
  childChunkChars: z.number().int().positive().default(12_500),
  /** Seeds the label noise and the other error draws; default 0. */
  seed: z.number().int().default(0),
  /** Probability that a sub-call reply is wrong (needle: a wrong number or NOT_FOUND; labels: counts off by a few; pairs: one user missing), per prompt; default 0. */
  subcallErrorRate: z.number().min(0).max(1).default(0),
  /** Probability that a solve program is wrong (an off-by-one that silently drops the last chunk), per query and attempt; default 0. */
  programErrorRate: z.number().min(0).max(1).default(0),
  /** Probability that a solve program is slow (awaits sub-calls one by one), per query and attempt; default 0. */
  slowProgramRate: z.number().min(0).max(1).default(0),
});
export type SolverPolicyOptions = z.input<typeof SolverPolicyOptions>;

export const CustomPolicyOptions = z.object({
  type: z.literal('custom'),
  policy: z.custom<Policy>(
    (value) => typeof value === 'object' && value !== null && isFunction((value as Policy).reply),
  ),
});
export type CustomPolicyOptions = z.input<typeof CustomPolicyOptions>;

export const PolicyOptions = z.discriminatedUnion('type', [
  ScriptedPolicyOptions,
  SolverPolicyOptions,
  CustomPolicyOptions,
]);
export type PolicyOptions = z.input<typeof PolicyOptions>;

export const FaultOptions = z.object({
  /** Share of requests answered with HTTP 500 or 503; default 0. */
  errorRate: z.number().min(0).max(1).default(0),
  /** Share of requests accepted and never answered (the client must time out); default 0. */
  timeoutRate: z.number().min(0).max(1).default(0),
  /** Share of completions whose content is ""; default 0. */
  emptyContentRate: z.number().min(0).max(1).default(0),
  /** Share of completions whose content is null; default 0. */
  nullContentRate: z.number().min(0).max(1).default(0),
  /** Seeds which requests get faults; default 1. */
  seed: z.number().int().default(1),
});

export const SimServerOptions = z.object({
  /** Interface to bind; default loopback only, the simulator is a local test double. */
  host: z.string().default('127.0.0.1'),
  /** Default 0: the OS picks a free port (read it from `SimServer.port`). */
  port: z.number().int().min(0).max(65_535).default(0),
  /** Default: the solver, so the simulator is useful with no configuration (`rlm demo`). */
  policy: PolicyOptions.prefault({ type: 'solver' }),
  latency: z
    .object({
      /** Time to first token; default 0 (tests run at full speed). */
      firstTokenMs: z.number().nonnegative().default(0),
      /** Added per completion token; default 0. */
      perOutputTokenMs: z.number().nonnegative().default(0),
    })
    .prefault({}),
  /** Provider concurrency limit; requests past it queue inside the server. Default: unlimited. */
  maxConcurrency: z.number().int().positive().optional(),
  /** Past this many requests in a sliding minute: 429 with Retry-After. Default: no rate limit. */
  rateLimit: z.object({ requestsPerMinute: z.number().int().positive() }).optional(),
  /** Default: no faults. */
  faults: FaultOptions.prefault({}),
  /** Model ids served; default a large and a small model like a real provider's pair. */
  models: z.array(z.string().min(1)).min(1).default(['sim-large', 'sim-small']),
  /** Answer any model name (listing only `models`): `rlm sim` stands in for whatever model the user configures. Default false. */
  anyModel: z.boolean().default(false),
  /** Prompts above this many tokens get a 400 context_length_exceeded; default 1,000,000 (larger than any real window). */
  contextWindowTokens: z.number().int().positive().default(1_000_000),
  /** Prefix hashes remembered per server (oldest dropped first); default 200,000 (~100M prompt tokens of history). */
  prefixCacheEntries: z.number().int().positive().default(200_000),
  /** Clock for the rate limiter, in ms; default Date.now. Tests inject their own. */
  now: z.custom<() => number>(isFunction).optional(),
});
export type SimServerOptions = z.input<typeof SimServerOptions>;
export type ResolvedSimServerOptions = z.output<typeof SimServerOptions>;
