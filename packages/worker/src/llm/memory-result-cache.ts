/**
 * The in-process result cache: an LRU over sub-call results, bounded by entry
 * count. The Redis driver (cluster mode) implements the same ResultCache port.
 */
import type { CompletionResponse, ResultCache } from '@rlm/shared';

export class MemoryResultCache implements ResultCache {
  private readonly maxEntries: number;
  private readonly entries = new Map<string, CompletionResponse>();

  constructor(maxEntries = 10_000) {
    this.maxEntries = maxEntries;
  }

  get(key: string): Promise<CompletionResponse | undefined> {
    const value = this.entries.get(key);
    if (value !== undefined) {
      // Re-insert to mark as most recently used.
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return Promise.resolve(value);
  }

  set(key: string, value: CompletionResponse): Promise<void> {
    this.entries.delete(key);
    this.entries.set(key, value);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return Promise.resolve();
  }

  get size(): number {
    return this.entries.size;
  }
}
