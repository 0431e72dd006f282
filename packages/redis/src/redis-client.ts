/**
 * Redis clients for the drivers. Every driver accepts a client (single node or
 * cluster) in its constructor and never opens command connections of its own
 * (RedisCancellationBus duplicates its client once, for its subscriber); the
 * composition root creates clients with `createRedisClient` and owns them.
 *
 * Two roles, never one client for both:
 * - `commands`: these drivers. Request/response, so the ioredis defaults
 *   suit them: a command fails after a bounded number of reconnect attempts
 *   and the drivers that are optimisations (result cache, coalescer) degrade.
 * - `bullmq`: connections handed to BullMQ. BullMQ requires
 *   `maxRetriesPerRequest: null` on them: its blocking commands must wait
 *   through reconnects instead of failing.
 */
import { Redis } from 'ioredis';
import type { Cluster, RedisOptions } from 'ioredis';

export type RedisClient = Redis | Cluster;

export type RedisRole = 'commands' | 'bullmq';

export function createRedisClient(
  url: string,
  role: RedisRole = 'commands',
  options: RedisOptions = {},
): Redis {
  // Commands issued in the same turn of the event loop (a burst of sub-calls' ledger, limiter and
  // cache calls) go out in one write: fewer syscalls here and in Redis, same commands.
  const client = new Redis(url, role === 'bullmq' ? { ...options, maxRetriesPerRequest: null } : { enableAutoPipelining: true, ...options });
  // Connection errors surface as failed commands, which every caller handles; the client keeps
  // reconnecting with backoff. Without a listener ioredis prints each reconnect failure to stderr.
  client.on('error', () => undefined);
  return client;
}
