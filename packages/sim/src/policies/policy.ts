/**
 * What a policy sees and returns. A policy decides the content of each chat
 * completion; the server around it adds latency, limits, faults and usage.
 */

/** One chat message with its content flattened to text (null stays null). */
export interface SimMessage {
  readonly role: string;
  readonly content: string | null;
}

/** The parts of a chat completion request a policy may look at. */
export interface SimRequest {
  readonly model: string;
  readonly messages: readonly SimMessage[];
  readonly maxTokens?: number;
  readonly temperature?: number;
  readonly stream: boolean;
}

/**
 * A reply: plain content, or content with an extra delay, or an HTTP error
 * status (then `content` is the error message).
 */
export type PolicyReply =
  | string
  | {
      readonly content: string | null;
      /** Extra delay before the answer, on top of the latency model. */
      readonly delayMs?: number;
      /** Answer with this HTTP error status instead of a completion. */
      readonly status?: number;
    };

export interface Policy {
  /** `index` counts the requests this policy has been asked, from 0. May throw: the server answers 500. */
  reply(request: SimRequest, index: number): PolicyReply | Promise<PolicyReply>;
}
