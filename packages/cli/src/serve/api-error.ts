/**
 * Errors of `rlm serve` in the OpenAI error shape,
 * `{"error": {"message", "type", "param", "code"}}`, with the status code an
 * OpenAI client expects (its SDK maps 400/401/404/413/429/5xx to typed errors).
 */
import type { ServerResponse } from 'node:http';
import { isRlmError } from '@rlm/shared';

export type ApiErrorType =
  'invalid_request_error' | 'authentication_error' | 'rate_limit_error' | 'server_error';

export class ApiError extends Error {
  readonly status: number;
  readonly type: ApiErrorType;
  readonly code: string;
  readonly param: string | null;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    type: ApiErrorType,
    code: string,
    message: string,
    extra: { readonly param?: string; readonly headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.type = type;
    this.code = code;
    this.param = extra.param ?? null;
    this.headers = extra.headers ?? {};
  }

  body(): { error: { message: string; type: ApiErrorType; param: string | null; code: string } } {
    return {
      error: { message: this.message, type: this.type, param: this.param, code: this.code },
    };
  }
}

export function invalidRequest(
  message: string,
  code = 'invalid_request',
  param?: string,
): ApiError {
  return new ApiError(
    400,
    'invalid_request_error',
    code,
    message,
    param === undefined ? {} : { param },
  );
}

/** Anything thrown while serving a request, as an ApiError (bad settings are the caller's 400, the rest ours). */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (isRlmError(error) && error.code === 'config_invalid')
    return invalidRequest(error.message.replaceAll('\n', '; '));
  return new ApiError(
    500,
    'server_error',
    'internal_error',
    'the server failed to answer the request',
  );
}

export function sendApiError(response: ServerResponse, error: ApiError): void {
  if (response.headersSent) {
    response.end();
    return;
  }
  response.writeHead(error.status, { 'content-type': 'application/json', ...error.headers });
  response.end(JSON.stringify(error.body()));
}
