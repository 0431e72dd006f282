/**
 * Who may call `rlm serve`: callers present `Authorization: Bearer TOKEN`
 * with one of the configured tokens (--auth-token, or the comma-separated
 * RLM_AUTH_TOKENS). These are the server's own caller tokens, never the
 * upstream provider's key (--api-key / OPENAI_API_KEY). No tokens configured
 * means no check (the server then binds to loopback by default).
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ApiError } from './api-error.ts';

export function callerTokens(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): readonly string[] {
  const raw = flag ?? env['RLM_AUTH_TOKENS'] ?? '';
  return raw
    .split(',')
    .map((token) => token.trim())
    .filter((token) => token !== '');
}

/**
 * Throws a 401 unless the request carries one of `tokens` (or none are configured). Returns the
 * caller's token (undefined when none are configured): conversations are scoped by it.
 */
export function assertCaller(request: IncomingMessage, tokens: readonly string[]): string | undefined {
  if (tokens.length === 0) return undefined;
  const header = request.headers.authorization ?? '';
  const presented = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
  if (presented === undefined) {
    throw new ApiError(
      401,
      'authentication_error',
      'missing_api_key',
      'missing bearer token: send Authorization: Bearer <token>',
    );
  }
  if (!tokens.some((token) => sameSecret(token, presented))) {
    // The message never echoes the presented token.
    throw new ApiError(401, 'authentication_error', 'invalid_api_key', 'invalid bearer token');
  }
  return presented;
}

function sameSecret(expected: string, presented: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}
