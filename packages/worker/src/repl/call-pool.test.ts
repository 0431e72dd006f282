import { describe, expect, it } from 'vitest';
import { CallPool } from './call-pool.ts';

function deferred(): { promise: Promise<string>; resolve: (value: string) => void } {
  let resolve: (value: string) => void = () => {};
  const promise = new Promise<string>((done) => (resolve = done));
  return { promise, resolve };
}

describe('CallPool', () => {
  it('runs at most `size` calls at once, the rest in arrival order as places free', async () => {
    const pool = new CallPool(2);
    const calls = [deferred(), deferred(), deferred()];
    const started: number[] = [];
    const results = calls.map((call, index) =>
      pool.run(() => {
        started.push(index);
        return call.promise;
      }),
    );
    expect(started).toEqual([0, 1]);
    calls[1]?.resolve('b');
    await results[1];
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2]);
    calls[0]?.resolve('a');
    calls[2]?.resolve('c');
    await expect(Promise.all(results)).resolves.toEqual(['a', 'b', 'c']);
  });

  it('answers waiting and later calls with the closing answer, never starting them', async () => {
    const pool = new CallPool(1);
    const running = deferred();
    let startedLate = false;
    const first = pool.run(() => running.promise);
    const waiting = pool.run(() => {
      startedLate = true;
      return Promise.resolve('never');
    });
    pool.close('Error: closed');
    await expect(waiting).resolves.toBe('Error: closed');
    await expect(pool.run(() => Promise.resolve('never'))).resolves.toBe('Error: closed');
    running.resolve('finished');
    await expect(first).resolves.toBe('finished');
    expect(startedLate).toBe(false);
  });
});
