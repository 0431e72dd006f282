import { describe, expect, it } from 'vitest';
import { sha256Hex } from '@rlm/shared';
import { useRedis } from '../../../test/support/redis-fixture.ts';
import { RedisBlobStore } from './redis-blob-store.ts';
import type { RedisKeys } from './redis-keys.ts';

const fixture = useRedis();

const freshKeys = fixture.freshKeys;

async function keysUnder(keys: RedisKeys): Promise<string[]> {
  return (await fixture.client().keys(`${keys.prefix}:*`)).sort();
}

describe('RedisBlobStore', () => {
  it('stores a text under its sha256 and reads it back', async () => {
    const store = new RedisBlobStore(fixture.client(), freshKeys());
    const hash = await store.put('hello, world');
    expect(hash).toBe(sha256Hex('hello, world'));
    expect(await store.get(hash)).toBe('hello, world');
    expect(await store.has(hash)).toBe(true);
  });

  it('answers undefined / false for an unknown hash', async () => {
    const store = new RedisBlobStore(fixture.client(), freshKeys());
    expect(await store.get(sha256Hex('never stored'))).toBeUndefined();
    expect(await store.has(sha256Hex('never stored'))).toBe(false);
  });

  it('stores a 10 MB text once, as a manifest and 4 MiB chunks', async () => {
    const keys = freshKeys();
    const store = new RedisBlobStore(fixture.client(), keys);
    const line = 'The quick brown fox jumps over the lazy dog. 0123456789\n';
    const text = line.repeat(Math.ceil(10_000_000 / line.length));
    const hash = await store.put(text);
    expect(await store.put(text)).toBe(hash);

    expect(await keysUnder(keys)).toEqual(
      [
        keys.blob(hash),
        keys.blobChunk(hash, 0),
        keys.blobChunk(hash, 1),
        keys.blobChunk(hash, 2),
      ].sort(),
    );
    let bytes = 0;
    for (const key of await keysUnder(keys))
      bytes += (await fixture.client().memory('USAGE', key)) ?? 0;
    // Stored once: about 10 MB, not 20.
    expect(bytes).toBeGreaterThan(10_000_000);
    expect(bytes).toBeLessThan(11_000_000);
    expect(await store.get(hash)).toBe(text);
  });

  it('splits chunks by bytes and reassembles characters cut across a boundary', async () => {
    const store = new RedisBlobStore(fixture.client(), freshKeys(), { chunkBytes: 7 });
    const text = 'héllo wörld 🦊🦊🦊 ünïcødé'.repeat(5);
    expect(await store.get(await store.put(text))).toBe(text);
  });

  it('treats a blob whose chunk is gone as missing', async () => {
    const keys = freshKeys();
    const store = new RedisBlobStore(fixture.client(), keys, { chunkBytes: 4 });
    const hash = await store.put('0123456789');
    await fixture.client().del(keys.blobChunk(hash, 1));
    expect(await store.get(hash)).toBeUndefined();
  });

  it('refuses a blob that does not match its hash', async () => {
    const keys = freshKeys();
    const store = new RedisBlobStore(fixture.client(), keys);
    const hash = sha256Hex('original');
    await fixture.client().set(keys.blob(hash), 'Ttampered');
    await expect(store.get(hash)).rejects.toMatchObject({ code: 'internal' });
  });

  it('expires the manifest and every chunk when given a TTL', async () => {
    const keys = freshKeys();
    const store = new RedisBlobStore(fixture.client(), keys, { chunkBytes: 4, ttlSeconds: 60 });
    await store.put('0123456789');
    const stored = await keysUnder(keys);
    expect(stored).toHaveLength(4);
    for (const key of stored) {
      const ttl = await fixture.client().ttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60);
    }
  });
});
