/** The one list of error codes (the closed taxonomy of errors.ts); the wire's enum is built from it. */
export const ERROR_CODES = [
  'config_invalid', // bad user input or configuration: exit code 2
  'llm_http', // provider answered with an HTTP error
  'llm_network', // provider unreachable / connection reset / timed out
  'llm_empty', // provider answered without usable content
  'budget_exhausted', // a budget refused the work before it started
  'cancelled', // the request was cancelled (abort, deadline)
  'sandbox', // the REPL could not run a step
  'redis_unavailable', // cluster mode: Redis unreachable, or it lost the request's data
  'internal', // a bug: an invariant did not hold
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];
