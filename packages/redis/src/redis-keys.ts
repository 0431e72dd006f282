/**
 * The one Redis key layout of the engine. Every key and channel any process
 * reads or writes is built here, so the layout can be read (and changed) in one
 * place. With the default prefix `rlm`:
 *
 * | key                                     | type   | written by                                  |
 * |-----------------------------------------|--------|---------------------------------------------|
 * | `rlm:blob:{<sha256>}`                   | string | RedisBlobStore: the text, or a chunk manifest |
 * | `rlm:blob:{<sha256>}:chunk:<index>`     | string | RedisBlobStore: bytes of a large text         |
 * | `rlm:result:<namespace>:{<key>}`        | string | completion JSON, or `pending:<token>` while one caller computes it (RedisCallCoalescer) |
 * | `rlm:root:{<rootId>}:ledger`            | hash   | RedisLedger: usage, reservations, limits      |
 * | `rlm:root:{<rootId>}:limiter`           | zset   | RedisLimiter: holder id -> lease expiry (ms)  |
 * | `rlm:root:{<rootId>}:cancel`            | string | RedisCancellationBus: the first stop reason   |
 * | `rlm:root:{<rootId>}:events`            | stream | RedisEventLog: the request's progress events  |
 * | `rlm:root:{<rootId>}:tool-calls`        | list   | RedisToolCaller: caller-tool calls for the submitter |
 * | `rlm:root:{<rootId>}:tool-reply:<callId>` | list | RedisToolServer: the outcome of one tool call  |
 * | `rlm:cancel`                            | channel| RedisCancellationBus: `{rootId, reason}` JSON |
 * | `rlm:session:{<rootId>}<rest>`          | string | session state; `<rest>` is `.2.1` below the root |
 * | `rlm:session:{<rootId>}<rest>:snapshot:<v>` | string | step v's record (result, snapshot hash)   |
 * | `rlm:rate:{<model>}:<window>`           | hash   | RedisRateGate: requests/tokens of one window  |
 * | `rlm:conversation:{<conversationId>}`   | string | RedisConversationStore: latest REPL snapshot hash |
 *
 * Hash tags (`{...}`): Redis Cluster places a key by the text between its first
 * `{` and the next `}`, so keys that share a tag share a slot and one Lua
 * script or MULTI may touch them together. Where that matters:
 * - blob manifest and its chunks share `{<sha256>}` (written in one pipeline,
 *   read with one MGET);
 * - the ledger, limiter and cancel flag of a root share `{<rootId>}`: every
 *   key of one root request lives on one node;
 * - the rate windows of a model share `{<model>}`: the rate gate's Lua script
 *   reads the current and the previous window in one call.
 *
 * - session checkpoints and step records are tagged by the root id too (a session id
 *   starts with its root's), so every key of one request lives on one node.
 *
 * Expiry of each key, and what has none (BullMQ's per-queue keys): the key table in ARCHITECTURE.md.
 *
 * Identifiers are escaped (`%` `{` `}` as %25 %7B %7D) so a caller's id can
 * never open or close a hash tag. Hex hashes and UUIDs pass through unchanged.
 */
export class RedisKeys {
  readonly prefix: string;

  constructor(prefix = 'rlm') {
    this.prefix = escapeSegment(prefix);
  }

  blob(hash: string): string {
    return `${this.prefix}:blob:{${escapeSegment(hash)}}`;
  }

  blobChunk(hash: string, index: number): string {
    return `${this.blob(hash)}:chunk:${index}`;
  }

  result(namespace: string, key: string): string {
    return `${this.prefix}:result:${escapeSegment(namespace)}:{${escapeSegment(key)}}`;
  }


  ledger(rootId: string): string {
    return `${this.root(rootId)}:ledger`;
  }

  limiter(rootId: string): string {
    return `${this.root(rootId)}:limiter`;
  }

  cancel(rootId: string): string {
    return `${this.root(rootId)}:cancel`;
  }

  events(rootId: string): string {
    return `${this.root(rootId)}:events`;
  }

  /** Caller-tool calls waiting for the submitter (a list: workers RPUSH, the submitter BLPOPs). */
  toolCalls(rootId: string): string {
    return `${this.root(rootId)}:tool-calls`;
  }

  /** The outcome of one tool call (a list of one item, BLPOPed by the worker that made the call). */
  toolReply(rootId: string, callId: string): string {
    return `${this.root(rootId)}:tool-reply:${escapeSegment(callId)}`;
  }

  /** The pub/sub channel of stop notices (not a key: PUBLISH reaches every node of a cluster). */
  cancelChannel(): string {
    return `${this.prefix}:cancel`;
  }

  /**
   * Tagged by the request's root: session ids are `<rootId>` for the root and
   * `<parentSessionId>.<step>.<call>` below it, so every session of one request
   * shares its root's slot (`rlm:session:{<rootId>}.2.1`).
   */
  session(sessionId: string): string {
    const separator = sessionId.indexOf('.');
    const root = separator < 0 ? sessionId : sessionId.slice(0, separator);
    const rest = separator < 0 ? '' : sessionId.slice(separator);
    return `${this.prefix}:session:{${escapeSegment(root)}}${escapeSegment(rest)}`;
  }

  snapshot(sessionId: string, version: number): string {
    return `${this.session(sessionId)}:snapshot:${version}`;
  }

  /** A conversation's REPL state between questions (the hash of its latest snapshot blob). */
  conversation(conversationId: string): string {
    return `${this.prefix}:conversation:{${escapeSegment(conversationId)}}`;
  }

  /** One rate window of a model; `window` is the window's index (start time / window length). */
  rate(model: string, window: number): string {
    return `${this.prefix}:rate:{${escapeSegment(model)}}:${window}`;
  }

  private root(rootId: string): string {
    return `${this.prefix}:root:{${escapeSegment(rootId)}}`;
  }
}

function escapeSegment(segment: string): string {
  return segment.replace(/[%{}]/g, (character) => {
    switch (character) {
      case '%':
        return '%25';
      case '{':
        return '%7B';
      default:
        return '%7D';
    }
  });
}
