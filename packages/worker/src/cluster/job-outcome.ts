/** Runs a job body and turns any failure into data: jobs complete with an outcome, they never fail for expected errors. */
import { serializeError } from '@rlm/shared';
import type { SerializedError } from '@rlm/shared';

export type JobOutcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: SerializedError };

export async function asOutcome<T>(body: () => Promise<T>): Promise<JobOutcome<T>> {
  try {
    return { ok: true, value: await body() };
  } catch (error) {
    return { ok: false, error: serializeError(error) };
  }
}
