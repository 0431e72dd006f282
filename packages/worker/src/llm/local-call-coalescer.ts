/**
 * In-process coalescing of identical LLM calls: the first caller of a key
 * computes, callers arriving meanwhile share its promise. If the owner fails,
 * the joiners coalesce again among themselves: one recomputes for the rest
 * (the owner's failure may be its own request being cancelled, which says
 * nothing about the joiners' requests).
 */
import type { CallCoalescer, CompletionResponse } from '@rlm/shared';

export class LocalCallCoalescer implements CallCoalescer {
  private readonly inFlight = new Map<string, Promise<CompletionResponse>>();

  async coalesce(
    key: string,
    compute: () => Promise<CompletionResponse>,
  ): Promise<{ readonly response: CompletionResponse; readonly joined: boolean }> {
    const pending = this.inFlight.get(key);
    if (pending !== undefined) {
      try {
        return { response: await pending, joined: true };
      } catch {
        if (this.inFlight.get(key) === pending) this.inFlight.delete(key);
        return this.coalesce(key, compute);
      }
    }
    const call = compute();
    this.inFlight.set(key, call);
    try {
      return { response: await call, joined: false };
    } finally {
      if (this.inFlight.get(key) === call) this.inFlight.delete(key);
    }
  }
}
