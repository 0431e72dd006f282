/**
 * The closed error taxonomy. Every error the engine raises on purpose is an
 * RlmError with a `code` from ErrorCode and a `retryable` flag. Errors cross
 * boundaries (isolate -> host -> queue -> caller) as SerializedError data and
 * are recognised by a Symbol.for brand, not instanceof, which breaks across
 * isolates and duplicated packages.
 */
import type { ErrorCode } from './error-codes.ts';
import type { SerializedError } from './jobs/task-schemas.ts';

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
