import { describe, expect, it } from 'vitest';
import { RedisKeys } from './redis-keys.ts';

const HASH = 'a'.repeat(64);
const ROOT = '6f1c2e8a-0000-4000-8000-000000000001';

/** The text Redis Cluster hashes to place a key: between the first `{` and the next `}`. */
function hashTag(key: string): string {
  const open = key.indexOf('{');
  const close = key.indexOf('}', open + 1);
  return open >= 0 && close > open + 1 ? key.slice(open + 1, close) : key;
}

describe('RedisKeys', () => {
  it('pins the key layout (golden strings)', () => {
    const keys = new RedisKeys();
    expect({
      blob: keys.blob(HASH),
      blobChunk: keys.blobChunk(HASH, 2),
      result: keys.result('subcall-v1', 'k1'),
      ledger: keys.ledger(ROOT),
      limiter: keys.limiter(ROOT),
      cancel: keys.cancel(ROOT),
      events: keys.events(ROOT),
      cancelChannel: keys.cancelChannel(),
      session: keys.session('s-1'),
      snapshot: keys.snapshot('s-1', 3),
      rate: keys.rate('gpt-5-mini', 29_000_000),
    }).toEqual({
      blob: `rlm:blob:{${HASH}}`,
      blobChunk: `rlm:blob:{${HASH}}:chunk:2`,
      result: 'rlm:result:subcall-v1:{k1}',
      ledger: `rlm:root:{${ROOT}}:ledger`,
      limiter: `rlm:root:{${ROOT}}:limiter`,
      cancel: `rlm:root:{${ROOT}}:cancel`,
      events: `rlm:root:{${ROOT}}:events`,
      cancelChannel: 'rlm:cancel',
      session: 'rlm:session:{s-1}',
      snapshot: 'rlm:session:{s-1}:snapshot:3',
      rate: 'rlm:rate:{gpt-5-mini}:29000000',
    });
  });

  it('puts every key under the given prefix', () => {
    const keys = new RedisKeys('t-42');
    expect(keys.blob(HASH)).toBe(`t-42:blob:{${HASH}}`);
    expect(keys.cancelChannel()).toBe('t-42:cancel');
  });

  it('places keys that one script or pipeline touches together in one cluster slot', () => {
    const keys = new RedisKeys();
    expect(hashTag(keys.blobChunk(HASH, 7))).toBe(hashTag(keys.blob(HASH)));
    expect(
      new Set(
        [keys.ledger(ROOT), keys.limiter(ROOT), keys.cancel(ROOT), keys.events(ROOT)].map(hashTag),
      ),
    ).toEqual(new Set([ROOT]));
    expect(hashTag(keys.rate('m', 10))).toBe(hashTag(keys.rate('m', 9)));
    expect(hashTag(keys.snapshot('s', 1))).toBe(hashTag(keys.session('s')));
    // Every session of one request shares its root's slot.
    expect(hashTag(keys.session('root-1.2.1.4.1'))).toBe(hashTag(keys.ledger('root-1')));
    expect(keys.session('root-1.2.1')).toBe('rlm:session:{root-1}.2.1');
    expect(keys.session('root-1.2.1')).not.toBe(keys.session('root-1.2.2'));
  });

  it('escapes braces and percent signs so an id cannot break its hash tag', () => {
    const keys = new RedisKeys();
    expect(keys.ledger('a}b{c%')).toBe('rlm:root:{a%7Db%7Bc%25}:ledger');
    expect(hashTag(keys.ledger('a}b'))).toBe('a%7Db');
    expect(keys.rate('org/{model}', 1)).toBe('rlm:rate:{org/%7Bmodel%7D}:1');
  });
});
