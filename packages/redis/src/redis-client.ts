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
 *
 * A target is one node (`redis://` URL) or a Redis Cluster (seed nodes). On a
 * cluster every multi-key command and script of the drivers touches keys of
 * one hash tag (see RedisKeys), and BullMQ's prefix is hash-tagged, so each
 * queue lives in one slot.
 */
import { Cluster, Redis } from 'ioredis';
import type { ClusterNode, RedisOptions } from 'ioredis';

export type RedisClient = Redis | Cluster;

export type RedisRole = 'commands' | 'bullmq';

/** Where the cluster's Redis is: one node by URL, or a Redis Cluster by its seed nodes. */
export type RedisTarget =
  | { readonly url: string }
  | { readonly clusterNodes: readonly string[] };

export function createRedisClient(url: string, role?: RedisRole, options?: RedisOptions): Redis;
export function createRedisClient(target: RedisTarget, role?: RedisRole, options?: RedisOptions): RedisClient;
export function createRedisClient(
  target: string | RedisTarget,
  role: RedisRole = 'commands',
  options: RedisOptions = {},
): RedisClient {
  const resolved = typeof target === 'string' ? { url: target } : target;
  const roleOptions = role === 'bullmq' ? { ...options, maxRetriesPerRequest: null } : options;
  // Commands issued in the same turn of the event loop (a burst of sub-calls' ledger, limiter and
  // cache calls) go out in one write: fewer syscalls here and in Redis, same commands.
  const autoPipelining = role === 'commands' ? { enableAutoPipelining: true } : {};
  const client =
    'url' in resolved
      ? new Redis(resolved.url, { ...autoPipelining, ...roleOptions })
      : new Cluster(resolved.clusterNodes.map(clusterNode), {
          // Credentials and TLS of a managed cluster come with its seed URLs (rediss://user:pass@host:port).
          redisOptions: { ...clusterAuth(resolved.clusterNodes), ...roleOptions },
          ...autoPipelining,
          // BullMQ's blocking reads and our scripts must follow slot moves, not fail on them.
          ...(role === 'bullmq' ? { maxRedirections: 64 } : {}),
        });
  // Connection errors surface as failed commands, which every caller handles; the client keeps
  // reconnecting with backoff. Without a listener ioredis prints each reconnect failure to stderr.
  client.on('error', () => undefined);
  return client;
}

/** The target as people write it (passwords hidden): for logs and error messages. */
export function describeRedisTarget(target: RedisTarget): string {
  if ('url' in target) return target.url.replace(/\/\/([^@/]*)@/, '//***@');
  return `cluster ${target.clusterNodes.map((node) => node.replace(/\/\/([^@/]*)@/, '//***@')).join(',')}`;
}

/** A seed node: `host:port`, or `redis[s]://[user:password@]host:port`. */
function clusterNode(address: string): ClusterNode {
  if (/^rediss?:\/\//.test(address)) {
    const url = new URL(address);
    return { host: url.hostname, port: Number(url.port || 6379) };
  }
  const separator = address.lastIndexOf(':');
  return { host: address.slice(0, separator), port: Number(address.slice(separator + 1)) };
}

/** Username, password and TLS from the first seed given as a URL (every node of a cluster shares them). */
function clusterAuth(nodes: readonly string[]): RedisOptions {
  const first = nodes.find((node) => /^rediss?:\/\//.test(node));
  if (first === undefined) return {};
  const url = new URL(first);
  return {
    ...(url.username === '' ? {} : { username: decodeURIComponent(url.username) }),
    ...(url.password === '' ? {} : { password: decodeURIComponent(url.password) }),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}
