/**
 * The engine's configuration, parsed once by `loadConfig` from flags and the
 * environment (flags win over environment, environment over defaults). Every
 * problem is reported at once, one line each, naming the setting.
 */
import { z } from 'zod';
import { RlmError } from './errors.ts';
import { DEFAULT_PRICES, ModelPrice, PriceTable } from './pricing.ts';
import { ReplLanguage } from './protocol.ts';

/**
 * Numbers from flags and the environment are plain decimals ("12", "0.5"): `Number()` would also
 * take "0x10", "1e3", " 1 " and "" (zero), which nobody means in a budget. Numbers given in code
 * (the SDK, JSON bodies) pass as they are.
 */
const DECIMAL = /^\d+(\.\d+)?$/;
function decimal<T extends z.ZodType>(schema: T) {
  return z.preprocess(
    (value) => (typeof value === 'string' && DECIMAL.test(value) ? Number(value) : value),
    schema,
  );
}
/** The values a numeric setting takes, for its schema and its error message. */
interface NumberRange {
  readonly integer?: boolean;
  /** Inclusive lower bound. */
  readonly min?: number;
  /** Exclusive lower bound (`positive` is above 0). */
  readonly above?: number;
  readonly max?: number;
}

function describeRange(range: NumberRange): string {
  const kind = range.integer === true ? 'a whole number' : 'a number';
  if (range.min !== undefined && range.max !== undefined)
    return `${kind} from ${range.min} to ${range.max}`;
  if (range.above !== undefined)
    return `${kind} above ${range.above}${range.max === undefined ? '' : ` and at most ${range.max}`}`;
  if (range.min !== undefined) return `${kind} of at least ${range.min}`;
  return range.max === undefined ? kind : `${kind} of at most ${range.max}`;
}

/**
 * A number in `range`. A value that is not a number is named as a format problem (flags and the
 * environment take plain decimals only); one out of range is named with the range, so `--max-depth 0`
 * does not read as a malformed number.
 */
const plainNumber = (range: NumberRange = {}) => {
  let schema = z.number({
    error: (issue) =>
      issue.code === 'invalid_type' && issue.expected === 'number'
        ? `expected a plain decimal number (digits, optionally one decimal point), got ${JSON.stringify(issue.input) ?? String(issue.input)}`
        : `expected ${describeRange(range)}, got ${String(issue.input)}`,
  });
  if (range.integer === true) schema = schema.int();
  if (range.min !== undefined) schema = schema.min(range.min);
  if (range.above !== undefined) schema = schema.gt(range.above);
  if (range.max !== undefined) schema = schema.max(range.max);
  return decimal(schema);
};
const positiveInt = (max?: number) =>
  plainNumber({ integer: true, min: 1, ...(max === undefined ? {} : { max }) });
const positiveNumber = plainNumber({ above: 0 });

export const EngineConfig = z.object({
  /** Root model. */
  model: z.string().min(1).default('gpt-5-mini'),
  /** Model for llm_query / rlm_query; the root model when unset. */
  subModel: z.string().min(1).optional(),
  /** OpenAI-compatible endpoint; unset means api.openai.com (which then needs an API key). */
  baseUrl: z.url().optional(),
  /** API key of the provider; never logged. */
  apiKey: z.string().min(1).optional(),
  /** Reference semantics: 1 means only the root has a REPL. */
  maxDepth: positiveInt(8).default(1),
  /** Root-model turns per session before the forced final answer. */
  maxIterations: positiveInt(1000).default(20),
  /** Cap on input + output tokens across the request's whole tree. */
  maxTokens: positiveInt().optional(),
  /** Cap on cost in USD across the whole tree (needs prices for the models used). */
  maxCostUsd: positiveNumber.optional(),
  /** Wall-clock limit of the whole request, seconds. */
  timeoutSec: positiveNumber.optional(),
  /** Wall-clock limit of one REPL step, seconds: long enough for a large fan-out. */
  stepTimeoutSec: positiveNumber.default(300),
  /** Global cap on concurrent LLM calls of one request. */
  concurrency: positiveInt(10_000).default(32),
  /** Characters of one step's output shown to the model (DESIGN: 20,000). */
  outputLimitChars: positiveInt().default(20_000),
  /** Output-token cap of each LLM call; also what a call reserves against maxTokens. */
  maxOutputTokens: positiveInt().default(4_096),
  /** Sampling temperature of every call; the provider's default when unset. */
  temperature: plainNumber({ min: 0, max: 2 }).optional(),
  /** False: the REPL-only ablation (no llm_query / rlm_query); the evaluation's rlm-no-subcalls method. */
  subcalls: z.boolean().default(true),
  /**
   * The root model's context window, tokens: older turns are compacted into a summary before the
   * conversation would pass 80% of it. Unset: the window of a known model (model-windows.ts), else 32,000.
   */
  contextWindow: positiveInt(100_000_000).optional(),
  /** The REPL language the root model writes: `js` (isolated-vm) or `python` (Pyodide in a sealed process). */
  repl: ReplLanguage.default('js'),
  /**
   * Python sandboxes kept loaded ahead of need (Pyodide takes 1-3 s to load), started with the engine
   * when `repl` is `python`, else with the first Python session; 0 loads each one on demand.
   */
  pythonSpares: plainNumber({ integer: true, min: 0, max: 16 }).default(1),
  /** Largest context accepted, in characters (about 4 bytes of V8 heap each at worst). */
  maxContextChars: positiveInt().default(1_000_000_000),
  /** Sub-calls one request may have waiting or running at once (each waits in about 1 KB of host heap); more are refused with an error string. */
  maxPendingSubcalls: positiveInt().default(10_000),
  /** Largest final answer accepted, in characters (16 MiB); a larger one is refused and the model told why. */
  maxAnswerChars: positiveInt().default(16 * 1024 * 1024),
  /** Total memory limit of one request's live REPL sandboxes (root + rlm_query children), MB. */
  maxSandboxMemoryMb: positiveInt().default(2_048),
  /** Retries of one LLM call on 408/409/429/5xx and network errors (the openai client's layer). */
  maxRetries: plainNumber({ integer: true, min: 0, max: 20 }).default(4),
  /** Timeout of one HTTP request to the provider, seconds. */
  requestTimeoutSec: positiveNumber.default(600),
  /** USD per million tokens, merged over the defaults. */
  prices: PriceTable.default(DEFAULT_PRICES),
  /** `--price IN,OUT`: USD per million input / output tokens of the configured models (model and subModel), over the table. */
  modelPrice: z
    .union([
      ModelPrice,
      z
        .string()
        .regex(
          /^\s*\d+(\.\d+)?\s*,\s*\d+(\.\d+)?\s*$/,
          'expected IN,OUT (USD per million input and output tokens, e.g. 0.5,1.5)',
        )
        .transform((text) => {
          const [input = 0, output = 0] = text.split(',').map(Number);
          return { inputPerMillion: input, outputPerMillion: output };
        }),
    ])
    .optional(),
  /** Provider rate limits per model, held across the cluster (`{"gpt-5":{"requestsPerMinute":500,"tokensPerMinute":200000}}`). */
  rateLimits: z
    .record(
      z.string(),
      z
        .object({
          requestsPerMinute: positiveInt().optional(),
          tokensPerMinute: positiveInt().optional(),
        })
        .strict(),
    )
    .default({}),
  /**
   * Record prompts, REPL code and completions on spans and in logs (truncated). Off by default:
   * contexts and answers can be sensitive, and spans go to shared backends.
   */
  recordContent: z
    .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
    .transform((value) => value === true || value === 'true' || value === '1')
    .default(false),
  /** Level of the process logs (pino); info by default: startup, shutdown, warnings and failures. */
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Redis for cluster mode; unset runs embedded. */
  redisUrl: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .optional(),
  /**
   * Redis Cluster seed nodes for cluster mode (`host:port,host:port`; `rediss://user:password@host:port`
   * for TLS and credentials), instead of --redis: every key of a request and every queue is
   * hash-tagged, so the cluster's scripts stay in one slot.
   */
  redisClusterNodes: z
    .union([z.string().transform((value) => value.split(',')), z.array(z.string())])
    .pipe(
      z
        .array(
          z
            .string()
            .regex(
              /^(rediss?:\/\/([^\s@/]*@)?)?[^\s,/@]+:\d{1,5}$/,
              'must be host:port[,host:port...]',
            ),
        )
        .min(1),
    )
    .optional(),
  /** Seconds a command waits for Redis to answer at start-up (the request's --timeout when shorter); then it fails in one line. */
  redisConnectTimeoutSec: positiveNumber.default(10),
  /**
   * Seconds request data (contexts, REPL snapshots, session checkpoints, step records, ledgers) stays in
   * Redis after it was last written: the longest request plus a grace.
   */
  redisKeyTtlSec: plainNumber({ integer: true, min: 60 }).default(86_400),
});
export type EngineConfig = z.infer<typeof EngineConfig>;
export type EngineConfigInput = z.input<typeof EngineConfig>;

/** Where cluster mode's Redis is, or undefined for embedded mode. */
export function redisTargetOf(
  config: Pick<EngineConfig, 'redisUrl' | 'redisClusterNodes'>,
): { readonly url: string } | { readonly clusterNodes: readonly string[] } | undefined {
  if (config.redisClusterNodes !== undefined) return { clusterNodes: config.redisClusterNodes };
  if (config.redisUrl !== undefined) return { url: config.redisUrl };
  return undefined;
}

/**
 * Environment variables and the setting each one feeds. The doc comment of
 * each setting above is its description in the generated table of
 * infra/README.md (`node scripts/env-table.ts`).
 */
export const ENV_SETTINGS: ReadonlyArray<readonly [string, keyof EngineConfig]> = [
  ['OPENAI_API_KEY', 'apiKey'],
  ['OPENAI_BASE_URL', 'baseUrl'],
  ['RLM_MODEL', 'model'],
  ['RLM_SUB_MODEL', 'subModel'],
  ['REDIS_URL', 'redisUrl'],
  ['REDIS_CLUSTER_NODES', 'redisClusterNodes'],
  ['RLM_REDIS_CONNECT_TIMEOUT', 'redisConnectTimeoutSec'],
  ['RLM_REDIS_KEY_TTL', 'redisKeyTtlSec'],
  ['RLM_MAX_DEPTH', 'maxDepth'],
  ['RLM_MAX_ITERATIONS', 'maxIterations'],
  ['RLM_CONCURRENCY', 'concurrency'],
  ['RLM_MAX_CONTEXT_CHARS', 'maxContextChars'],
  ['RLM_MAX_PENDING_SUBCALLS', 'maxPendingSubcalls'],
  ['RLM_MAX_ANSWER_CHARS', 'maxAnswerChars'],
  ['RLM_MAX_SANDBOX_MEMORY_MB', 'maxSandboxMemoryMb'],
  ['RLM_PRICES', 'prices'],
  ['RLM_RATE_LIMITS', 'rateLimits'],
  ['RLM_RECORD_CONTENT', 'recordContent'],
  ['RLM_LOG_LEVEL', 'logLevel'],
  ['RLM_REPL', 'repl'],
  ['RLM_PYTHON_SPARES', 'pythonSpares'],
];

/** Names a setting the way the user wrote it, for error messages. */
const SETTING_LABELS: Partial<Record<keyof EngineConfig, string>> = {
  apiKey: '--api-key / OPENAI_API_KEY',
  baseUrl: '--base-url / OPENAI_BASE_URL',
  model: '--model / RLM_MODEL',
  subModel: '--sub-model / RLM_SUB_MODEL',
  redisUrl: '--redis / REDIS_URL',
  redisClusterNodes: '--redis-cluster / REDIS_CLUSTER_NODES',
  redisConnectTimeoutSec: 'RLM_REDIS_CONNECT_TIMEOUT',
  redisKeyTtlSec: 'RLM_REDIS_KEY_TTL',
  maxDepth: '--max-depth',
  maxIterations: '--max-iterations',
  maxTokens: '--max-tokens',
  maxCostUsd: '--max-cost',
  timeoutSec: '--timeout',
  stepTimeoutSec: '--step-timeout',
  concurrency: '--concurrency',
  maxContextChars: 'RLM_MAX_CONTEXT_CHARS',
  maxPendingSubcalls: 'RLM_MAX_PENDING_SUBCALLS',
  maxAnswerChars: 'RLM_MAX_ANSWER_CHARS',
  maxSandboxMemoryMb: 'RLM_MAX_SANDBOX_MEMORY_MB',
  prices: 'RLM_PRICES',
  modelPrice: '--price',
  rateLimits: 'RLM_RATE_LIMITS',
  recordContent: '--record-content / RLM_RECORD_CONTENT',
  logLevel: '--log-level / RLM_LOG_LEVEL',
  repl: '--repl / RLM_REPL',
  contextWindow: '--context-window',
  pythonSpares: 'RLM_PYTHON_SPARES',
};

export function settingLabel(key: string): string {
  return SETTING_LABELS[key as keyof EngineConfig] ?? key;
}

/** Names a setting as SDK code writes it: the option key, and the environment variable that also feeds it. */
function optionLabel(key: string): string {
  const variable = ENV_SETTINGS.find(([, setting]) => setting === key)?.[0];
  return variable === undefined ? key : `${key} / ${variable}`;
}

export interface ConfigSources {
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Values from flags or code; `undefined` members mean "not given". */
  readonly overrides?: Readonly<Record<string, unknown>>;
  /**
   * How problems name a setting: by its CLI flag (the default: the CLI parses flags into
   * `overrides`), or by its SDK option key (`new RLM({ maxDepth: 0 })` says `maxDepth`).
   */
  readonly naming?: 'flags' | 'options';
}

/** Parses and validates; throws one `config_invalid` RlmError whose message lists every problem. */
export function loadConfig(sources: ConfigSources = {}): EngineConfig {
  const raw: Record<string, unknown> = {};
  const env = sources.env ?? {};
  const problems: string[] = [];
  for (const [name, key] of ENV_SETTINGS) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    if (key === 'prices' || key === 'rateLimits') {
      try {
        const parsed = JSON.parse(value) as object;
        raw[key] = key === 'prices' ? { ...DEFAULT_PRICES, ...parsed } : parsed;
      } catch {
        problems.push(`${name}: not valid JSON`);
      }
    } else raw[key] = value;
  }
  // A flag naming one kind of Redis wins over the environment's other kind.
  if (sources.overrides?.['redisUrl'] !== undefined) delete raw['redisClusterNodes'];
  if (sources.overrides?.['redisClusterNodes'] !== undefined) delete raw['redisUrl'];
  for (const [key, value] of Object.entries(sources.overrides ?? {})) {
    if (value !== undefined) raw[key] = value;
  }
  const parsed = EngineConfig.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0] ?? 'config');
      problems.push(
        `${sources.naming === 'options' ? optionLabel(key) : settingLabel(key)}: ${issue.message}`,
      );
    }
  }
  if (
    parsed.success &&
    parsed.data.redisUrl !== undefined &&
    parsed.data.redisClusterNodes !== undefined
  ) {
    const label = sources.naming === 'options' ? optionLabel : settingLabel;
    problems.push(`${label('redisUrl')} and ${label('redisClusterNodes')}: give one, not both`);
  }
  if (problems.length > 0 || !parsed.success) {
    throw new RlmError('config_invalid', problems.join('\n'));
  }
  return withModelPrice(parsed.data);
}

/** Applies `modelPrice` to the configured models, so every later lookup in `prices` sees it. */
function withModelPrice(config: EngineConfig): EngineConfig {
  const price = config.modelPrice;
  if (price === undefined) return config;
  const models = [config.model, config.subModel ?? config.model];
  return {
    ...config,
    prices: { ...config.prices, ...Object.fromEntries(models.map((model) => [model, price])) },
  };
}
