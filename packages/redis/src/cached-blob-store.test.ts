import { describe, expect, it } from 'vitest';
import { sha256Hex } from '@rlm/shared';
import type { BlobStore } from '@rlm/shared';
import { CachedBlobStore } from './cached-blob-store.ts';

/** A Map-backed BlobStore that counts the gets reaching it. */
class CountingStore implements BlobStore {
  readonly blobs = new Map<string, string>();
  gets = 0;

  put(text: string): Promise<string> {
    const hash = sha256Hex(text);
    this.blobs.set(hash, text);
    return Promise.resolve(hash);
  }

  get(hash: string): Promise<string | undefined> {
    this.gets += 1;
    return Promise.resolve(this.blobs.get(hash));
  }

  has(hash: string): Promise<boolean> {
    return Promise.resolve(this.blobs.has(hash));
  }
}

const text = (letter: string): string => letter.repeat(100); // 200 bytes counted

describe('CachedBlobStore', () => {
  it('fetches a blob from the inner store once', async () => {
    const inner = new CountingStore();
    const hash = await inner.put(text('a'));
    const cached = new CachedBlobStore(inner);
    expect(await Promise.all([cached.get(hash), cached.get(hash), cached.get(hash)])).toEqual([
      text('a'),
      text('a'),
      text('a'),
    ]);
    expect(await cached.get(hash)).toBe(text('a'));
    expect(inner.gets).toBe(1);
  });

  it('keeps what it puts, so the writer never reads its own blob back', async () => {
    const inner = new CountingStore();
    const cached = new CachedBlobStore(inner);
    const hash = await cached.put(text('a'));
    expect(await cached.get(hash)).toBe(text('a'));
    expect(inner.gets).toBe(0);
  });

  it('evicts the least recently used blob past its byte budget', async () => {
    const inner = new CountingStore();
    const cached = new CachedBlobStore(inner, { maxBytes: 450 }); // room for two 200-byte texts
    const a = await cached.put(text('a'));
    const b = await cached.put(text('b'));
    await cached.get(a); // a is now more recent than b
    const c = await cached.put(text('c'));
    expect(cached.cachedBytes).toBe(400);

    await cached.get(a);
    await cached.get(c);
    expect(inner.gets).toBe(0);
    await cached.get(b);
    expect(inner.gets).toBe(1);
  });

  it('passes through a blob larger than the whole budget without caching it', async () => {
    const inner = new CountingStore();
    const cached = new CachedBlobStore(inner, { maxBytes: 100 });
    const hash = await cached.put(text('a'));
    expect(cached.cachedBytes).toBe(0);
    expect(await cached.get(hash)).toBe(text('a'));
    expect(inner.gets).toBe(1);
  });

  it('does not cache a miss', async () => {
    const inner = new CountingStore();
    const cached = new CachedBlobStore(inner);
    const hash = sha256Hex(text('z'));
    expect(await cached.get(hash)).toBeUndefined();
    expect(await cached.has(hash)).toBe(false);
    await inner.put(text('z'));
    expect(await cached.get(hash)).toBe(text('z'));
  });
});
