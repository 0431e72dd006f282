/** Progress events a caller can observe (SDK `onEvent`, CLI progress, trajectories). */
import type { StopReason } from './stop-reason.ts';
import type { TokenUsage } from './llm.ts';

interface SessionRef {
  readonly sessionId: string;
  readonly depth: number;
}

export type RlmEvent =
  | ({ readonly type: 'session-start'; readonly query: string } & SessionRef)
  | ({ readonly type: 'session-end'; readonly stopReason: StopReason; readonly iterations: number } & SessionRef)
  | ({ readonly type: 'iteration-start'; readonly iteration: number } & SessionRef)
  | ({
      readonly type: 'iteration-end';
      readonly iteration: number;
      readonly codeBlocks: number;
      readonly final: boolean;
    } & SessionRef)
  | ({
      readonly type: 'subcall-start';
      readonly callId: string;
      readonly kind: 'llm' | 'rlm';
      readonly model: string;
    } & SessionRef)
  | ({
      readonly type: 'subcall-end';
      readonly callId: string;
      readonly kind: 'llm' | 'rlm';
      readonly cacheHit: boolean;
      readonly usage?: TokenUsage;
      readonly error?: string;
      readonly durationMs: number;
    } & SessionRef);

export type RlmEventListener = (event: RlmEvent) => void;
