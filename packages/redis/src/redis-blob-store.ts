/**
 * Content-addressed blobs in Redis: contexts and large prompts are stored once
 * under their sha256 and job payloads carry only the hash.
 *
 * Layout (see RedisKeys): `blob(hash)` holds one marker byte then either the
 * UTF-8 text itself (`T`) or, for a text above `chunkBytes`, a JSON manifest
 * (`M`) of chunks stored under `blobChunk(hash, index)`. Chunking keeps every
 * single Redis value (and every reply) well under the server's limits and
 * lets a 10 MB context stream in a few bounded pieces. The marker byte makes
 * the two forms unambiguous whatever the text contains.
 *
 * Chunks are written before the manifest, in one pipeline on one connection,
 * so a reader that finds the manifest finds every chunk. Readers verify the
 * sha256 of what they reassemble.
 */
import { RlmError, sha256Hex } from '@rlm/shared';
import type { BlobStore } from '@rlm/shared';
import type { RedisClient } from './redis-client.ts';
import type { RedisKeys } from './redis-keys.ts';

export interface RedisBlobStoreOptions {
  /** Texts longer than this many UTF-8 bytes are split into chunks. Default just under 4 MiB. */
  readonly chunkBytes?: number;
  /** Expire blobs this long after they were last stored (a put of an existing blob renews it). Default: never. */
  readonly ttlSeconds?: number;
}

interface ChunkManifest {
  readonly chunks: number;
  readonly bytes: number;
}

/**
 * Just under 4 MiB: a chunk plus Redis' string header must fit jemalloc's
 * 4 MiB size class, or each chunk occupies the next class (5 MiB), 25% waste.
 */
const DEFAULT_CHUNK_BYTES = 4 * 1024 * 1024 - 64;
const INLINE = 0x54; // 'T'
const MANIFEST = 0x4d; // 'M'

/** Blobs above this size are checked for existence before their payload is sent. */
const EXISTS_CHECK_MIN_BYTES = 64 * 1024;

export class RedisBlobStore implements BlobStore {
  private readonly redis: RedisClient;
  private readonly keys: RedisKeys;
  private readonly chunkBytes: number;
  private readonly ttlSeconds: number | undefined;

  constructor(redis: RedisClient, keys: RedisKeys, options: RedisBlobStoreOptions = {}) {
    this.redis = redis;
    this.keys = keys;
    this.chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    this.ttlSeconds = options.ttlSeconds;
    if (!Number.isInteger(this.chunkBytes) || this.chunkBytes < 1) {
      throw new RlmError(
        'config_invalid',
        `chunkBytes must be a positive integer, got ${this.chunkBytes}`,
      );
    }
  }

  async put(text: string): Promise<string> {
    const hash = sha256Hex(text);
    const key = this.keys.blob(hash);
    const bytes = Buffer.from(text, 'utf8');
    // Skip shipping the payload when the blob is already there (the common case: a
    // context re-submitted, or put by another process first), renewing its expiry on the way.
    // Tiny blobs skip the round trip: writing them again renews it too.
    if (bytes.length > EXISTS_CHECK_MIN_BYTES && (await this.renew(hash, bytes.length))) return hash;
    if (bytes.length <= this.chunkBytes) {
      await this.setOnce(key, withMarker(INLINE, bytes));
      return hash;
    }
    const pipeline = this.redis.pipeline();
    const chunks = Math.ceil(bytes.length / this.chunkBytes);
    for (let index = 0; index < chunks; index += 1) {
      const chunk = bytes.subarray(index * this.chunkBytes, (index + 1) * this.chunkBytes);
      const chunkKey = this.keys.blobChunk(hash, index);
      if (this.ttlSeconds === undefined) pipeline.set(chunkKey, chunk);
      else pipeline.set(chunkKey, chunk, 'EX', this.ttlSeconds);
    }
    const manifest: ChunkManifest = { chunks, bytes: bytes.length };
    const manifestValue = withMarker(MANIFEST, Buffer.from(JSON.stringify(manifest), 'utf8'));
    if (this.ttlSeconds === undefined) pipeline.set(key, manifestValue, 'NX');
    else pipeline.set(key, manifestValue, 'EX', this.ttlSeconds, 'NX');
    const results = (await pipeline.exec()) ?? [];
    const failure = results.find(([error]) => error !== null)?.[0];
    if (failure) throw failure;
    return hash;
  }

  async get(hash: string): Promise<string | undefined> {
    const value = await this.redis.getBuffer(this.keys.blob(hash));
    if (value === null) return undefined;
    const body = value.subarray(1);
    let text: string;
    if (value[0] === INLINE) {
      text = body.toString('utf8');
    } else if (value[0] === MANIFEST) {
      const assembled = await this.readChunks(
        hash,
        JSON.parse(body.toString('utf8')) as ChunkManifest,
      );
      if (assembled === undefined) return undefined;
      text = assembled;
    } else {
      throw new RlmError('internal', `blob ${hash} has an unknown format`);
    }
    if (sha256Hex(text) !== hash)
      throw new RlmError('internal', `blob ${hash} does not match its hash`);
    return text;
  }

  async has(hash: string): Promise<boolean> {
    return (await this.redis.exists(this.keys.blob(hash))) === 1;
  }

  /** Undefined when a chunk is gone (expired before its manifest): the blob is as good as missing. */
  private async readChunks(hash: string, manifest: ChunkManifest): Promise<string | undefined> {
    const chunkKeys = Array.from({ length: manifest.chunks }, (_, index) =>
      this.keys.blobChunk(hash, index),
    );
    const chunks = await this.redis.mgetBuffer(...chunkKeys);
    const present = chunks.filter((chunk): chunk is Buffer => chunk !== null);
    if (present.length !== manifest.chunks) return undefined;
    const bytes = Buffer.concat(present, manifest.bytes);
    return bytes.toString('utf8');
  }

  /** Same content under the same key: overwriting is harmless and renews the expiry. */
  private async setOnce(key: string, value: Buffer): Promise<void> {
    if (this.ttlSeconds === undefined) await this.redis.set(key, value, 'NX');
    else await this.redis.set(key, value, 'EX', this.ttlSeconds);
  }

  /**
   * True when the blob exists; with a TTL its expiry (manifest and chunks, one hash tag, so one
   * pipeline even on a Redis Cluster) starts again, so a context in use does not expire.
   */
  private async renew(hash: string, bytes: number): Promise<boolean> {
    const key = this.keys.blob(hash);
    if (this.ttlSeconds === undefined) return (await this.redis.exists(key)) === 1;
    const pipeline = this.redis.pipeline().expire(key, this.ttlSeconds);
    const chunks = bytes > this.chunkBytes ? Math.ceil(bytes / this.chunkBytes) : 0;
    for (let index = 0; index < chunks; index += 1) pipeline.expire(this.keys.blobChunk(hash, index), this.ttlSeconds);
    const results = (await pipeline.exec()) ?? [];
    const failure = results.find(([error]) => error !== null)?.[0];
    if (failure) throw failure;
    return results.every(([, renewed]) => renewed === 1);
  }
}

function withMarker(marker: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([marker]), body]);
}
