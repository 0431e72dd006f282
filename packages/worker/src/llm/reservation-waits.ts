/**
 * A reservation refused only because other calls of the same request hold
 * reservations right now is not a budget stop: once they settle (usually for
 * less than they reserved), it may fit. This tracks, per request, the calls
 * of this process holding a reservation, so a refused call can wait for the
 * next one to finish and ask again. Calls of other processes (cluster mode)
 * are not seen: there a refusal stops the request, the conservative choice.
 */
interface RootHolds {
  count: number;
  waiters: Array<() => void>;
}

export class ReservationWaits {
  private readonly roots = new Map<string, RootHolds>();

  /** A call of `rootId` now holds a reservation. */
  hold(rootId: string): void {
    const holds = this.roots.get(rootId) ?? { count: 0, waiters: [] };
    holds.count += 1;
    this.roots.set(rootId, holds);
  }

  /** A call of `rootId` settled or released its reservation: waiting calls may try again. */
  drop(rootId: string): void {
    const holds = this.roots.get(rootId);
    if (holds === undefined) return;
    holds.count -= 1;
    const waiters = holds.waiters;
    holds.waiters = [];
    if (holds.count <= 0) this.roots.delete(rootId);
    for (const wake of waiters) wake();
  }

  /**
   * Resolves true when another reservation of the request is dropped (try again), false at once when
   * this process holds none (nothing will free budget: the refusal stands) or when `signal` aborts.
   */
  waitForDrop(rootId: string, signal: AbortSignal): Promise<boolean> {
    const holds = this.roots.get(rootId);
    if (holds === undefined || holds.count === 0 || signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = (): void => resolve(false);
      signal.addEventListener('abort', onAbort, { once: true });
      holds.waiters.push(() => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      });
    });
  }
}
