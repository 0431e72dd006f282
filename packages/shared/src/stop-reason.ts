/** Why a request ended. The JSON contract of `rlm run --json` (DESIGN section 4). */
export const STOP_REASONS = [
  'final',
  'max_iterations',
  'max_tokens',
  'max_cost',
  'timeout',
  'cancelled',
  'error',
] as const;
export type StopReason = (typeof STOP_REASONS)[number];

/** Stop reasons raised by a budget or the request's control, not by the session itself. */
export type InterruptReason = Extract<StopReason, 'max_tokens' | 'max_cost' | 'timeout' | 'cancelled'>;
