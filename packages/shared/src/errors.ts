/**
 * The closed error taxonomy. Every error the engine raises on purpose is an
 * RlmError with a `code` from ErrorCode and a `retryable` flag. Errors cross
 * boundaries (isolate -> host -> queue -> caller) as SerializedError data and
 * are recognised by a Symbol.for brand, not instanceof, which breaks across
 * isolates and duplicated packages.
 */
export type ErrorCode =
  | 'config_invalid' // bad user input or configuration: exit code 2
  | 'llm_http' // provider answered with an HTTP error
  | 'llm_network' // provider unreachable / connection reset / timed out
  | 'llm_empty' // provider answered without usable content
  | 'budget_exhausted' // a budget refused the work before it started
  | 'cancelled' // the request was cancelled (abort, deadline)
  | 'sandbox' // the REPL could not run a step
  | 'redis_unavailable' // cluster mode: Redis unreachable, or it lost the request's data
  | 'internal'; // a bug: an invariant did not hold

const RLM_ERROR_BRAND = Symbol.for('rlm.error');

export interface RlmErrorOptions {
  readonly retryable?: boolean;
  readonly status?: number;
  readonly cause?: unknown;
}

export class RlmError extends Error {
  readonly [RLM_ERROR_BRAND] = true;
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly status: number | undefined;

  constructor(code: ErrorCode, message: string, options: RlmErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RlmError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.status = options.status;
  }
}

export function isRlmError(value: unknown): value is RlmError {
  return typeof value === 'object' && value !== null && RLM_ERROR_BRAND in value;
}

/** An error as data, safe to put in a job payload or a JSON result. */
export interface SerializedError {
  readonly code: ErrorCode;
  readonly message: string;
  readonly retryable: boolean;
  readonly status?: number;
}

export function serializeError(error: unknown): SerializedError {
  if (isRlmError(error)) {
    return {
      code: error.code,
      message: error.message,
      retryable: error.retryable,
      ...(error.status === undefined ? {} : { status: error.status }),
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'internal', message, retryable: false };
}

export function deserializeError(data: SerializedError): RlmError {
  return new RlmError(data.code, data.message, {
    retryable: data.retryable,
    ...(data.status === undefined ? {} : { status: data.status }),
  });
}

export function assertNever(value: never, what = 'value'): never {
  throw new RlmError('internal', `unexpected ${what}: ${JSON.stringify(value)}`);
}
