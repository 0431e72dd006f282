/**
 * A byte-bounded local LRU in front of any BlobStore, so a worker fetches a
 * 10 MB context from Redis once and then serves every later step of that
 * session (and any other session on the same context) from memory. Blobs are
 * immutable (content addressed), so the cache never needs invalidating.
 * Concurrent gets of one hash share one fetch.
 *
 * Size is counted as UTF-16 length * 2: what the strings cost in the V8 heap,
 * near enough. A text bigger than the whole budget is passed through uncached.
 */
import { sha256Hex } from '@rlm/shared';
import type { BlobStore } from '@rlm/shared';

export interface CachedBlobStoreOptions {
  /** Budget of the local cache in bytes. Default 256 MiB. */
  readonly maxBytes?: number;
  /**
   * A put of a text held locally goes to the inner store again once this long has passed since
   * it last did: that renews the blob's expiry in Redis. Default: never.
   */
  readonly restoreAfterMs?: number;
}

const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;

export class CachedBlobStore implements BlobStore {
  private readonly inner: BlobStore;
  private readonly maxBytes: number;
  /** Insertion order is recency order: a hit is re-inserted at the end. */
  private readonly entries = new Map<string, string>();
  private readonly fetching = new Map<string, Promise<string | undefined>>();
  private bytes = 0;
  private readonly restoreAfterMs: number;
  /** When each locally held text was last put to the inner store (ms since epoch). */
  private readonly storedAt = new Map<string, number>();

  constructor(inner: BlobStore, options: CachedBlobStoreOptions = {}) {
    this.inner = inner;
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    this.restoreAfterMs = options.restoreAfterMs ?? Number.POSITIVE_INFINITY;
  }

  /** A text put recently is known to be stored: no round trip. Concurrent puts of one text share one write. */
  async put(text: string): Promise<string> {
    const hash = sha256Hex(text);
    if (this.entries.has(hash) && Date.now() - (this.storedAt.get(hash) ?? 0) < this.restoreAfterMs) return hash;
    let pending = this.storing.get(hash);
    if (pending === undefined) {
      pending = this.inner.put(text).finally(() => this.storing.delete(hash));
      this.storing.set(hash, pending);
    }
    await pending;
    this.remember(hash, text);
    this.storedAt.set(hash, Date.now());
    return hash;
  }

  private readonly storing = new Map<string, Promise<string>>();

  get(hash: string): Promise<string | undefined> {
    const local = this.entries.get(hash);
    if (local !== undefined) {
      this.entries.delete(hash);
      this.entries.set(hash, local);
      return Promise.resolve(local);
    }
    const pending = this.fetching.get(hash);
    if (pending !== undefined) return pending;
    const fetch = this.fetch(hash);
    this.fetching.set(hash, fetch);
    return fetch;
  }

  async has(hash: string): Promise<boolean> {
    return this.entries.has(hash) || (await this.inner.has(hash));
  }

  /** Bytes held locally (for metrics). */
  get cachedBytes(): number {
    return this.bytes;
  }

  private async fetch(hash: string): Promise<string | undefined> {
    try {
      const text = await this.inner.get(hash);
      if (text !== undefined) this.remember(hash, text);
      return text;
    } finally {
      this.fetching.delete(hash);
    }
  }

  private remember(hash: string, text: string): void {
    const size = sizeOf(text);
    if (size > this.maxBytes) return;
    const previous = this.entries.get(hash);
    if (previous !== undefined) {
      this.entries.delete(hash);
      this.bytes -= sizeOf(previous);
    }
    this.entries.set(hash, text);
    this.bytes += size;
    for (const [oldest, value] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.storedAt.delete(oldest);
      this.bytes -= sizeOf(value);
    }
  }
}

function sizeOf(text: string): number {
  return text.length * 2;
}
