/**
 * Seeded fault injection. Each request rolls once; the rates are stacked
 * (error, then timeout, then empty content, then null content), so their sum
 * is the share of faulted requests and a rate of 1 faults every request.
 */
import { createRandom } from '../random.ts';

export type InjectedFault =
  | { readonly kind: 'error'; readonly status: 500 | 503 }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'emptyContent' }
  | { readonly kind: 'nullContent' };

export interface FaultRates {
  readonly errorRate: number;
  readonly timeoutRate: number;
  readonly emptyContentRate: number;
  readonly nullContentRate: number;
  readonly seed: number;
}

export interface FaultInjector {
  /** The fault for the next request, if any. */
  roll(): InjectedFault | undefined;
}

export function createFaultInjector(rates: FaultRates): FaultInjector {
  const random = createRandom(rates.seed);
  return {
    roll() {
      const roll = random.next();
      const flavour = random.next(); // drawn every time so one request's fault never shifts the next's
      let threshold = rates.errorRate;
      if (roll < threshold) return { kind: 'error', status: flavour < 0.5 ? 500 : 503 };
      threshold += rates.timeoutRate;
      if (roll < threshold) return { kind: 'timeout' };
      threshold += rates.emptyContentRate;
      if (roll < threshold) return { kind: 'emptyContent' };
      threshold += rates.nullContentRate;
      if (roll < threshold) return { kind: 'nullContent' };
      return undefined;
    },
  };
}
