import { describe, expect, it } from 'vitest';
import { defaultMemoryLimitMb } from './memory-limit.ts';
import { encodeValue, emptySnapshot } from './repl-snapshot.ts';

describe('defaultMemoryLimitMb', () => {
  it('is 128 MB plus three times the context in UTF-16 bytes', () => {
    expect(defaultMemoryLimitMb('')).toBe(128);
    expect(defaultMemoryLimitMb('x'.repeat(1024 * 1024))).toBe(128 + 6);
    expect(defaultMemoryLimitMb(['x'.repeat(512 * 1024), 'y'.repeat(512 * 1024)])).toBe(128 + 6);
  });

  it('estimates JSON contexts from their JSON text', () => {
    expect(defaultMemoryLimitMb({ text: 'x'.repeat(1024 * 1024) })).toBe(128 + 7);
  });

  it('adds four times the serialized size of a state to restore', () => {
    const snapshot = emptySnapshot();
    // A one-byte string of 1 MiB serializes to a little over 1 MiB.
    snapshot.entries.push({
      kind: 'value',
      names: ['big'],
      data: encodeValue(['x'.repeat(1024 * 1024)]),
    });
    expect(defaultMemoryLimitMb('', emptySnapshot())).toBe(129);
    expect(defaultMemoryLimitMb('', snapshot)).toBe(128 + 5);
  });

  it('is capped', () => {
    // 1,000 documents of 1 MiB characters (one shared string, so the test stays small).
    expect(defaultMemoryLimitMb(new Array<string>(1000).fill('x'.repeat(1024 * 1024)))).toBe(4096);
  });
});
