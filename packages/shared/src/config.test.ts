import { describe, expect, it } from 'vitest';
import { loadConfig, redisTargetOf } from './config.ts';

describe('Redis settings', () => {
  it('parses REDIS_CLUSTER_NODES into seed nodes, and the target is a cluster', () => {
    const config = loadConfig({ env: { REDIS_CLUSTER_NODES: 'redis-0:6379,10.0.0.2:7000' } });
    expect(redisTargetOf(config)).toEqual({ clusterNodes: ['redis-0:6379', '10.0.0.2:7000'] });
  });

  it('accepts seed URLs that carry TLS and credentials', () => {
    const config = loadConfig({
      env: { REDIS_CLUSTER_NODES: 'rediss://default:secret@node-1.cache.example:6379,node-2:6379' },
    });
    expect(config.redisClusterNodes).toHaveLength(2);
  });

  it('names the setting when a node is not host:port', () => {
    expect(() => loadConfig({ overrides: { redisClusterNodes: 'redis-0' } })).toThrow(
      '--redis-cluster / REDIS_CLUSTER_NODES: must be host:port[,host:port...]',
    );
  });

  it('refuses both kinds from one source, and lets a flag of one kind win over the environment of the other', () => {
    expect(() =>
      loadConfig({ env: { REDIS_URL: 'redis://a:6379', REDIS_CLUSTER_NODES: 'b:7000' } }),
    ).toThrow('give one, not both');
    const config = loadConfig({
      env: { REDIS_URL: 'redis://a:6379' },
      overrides: { redisClusterNodes: 'b:7000' },
    });
    expect(redisTargetOf(config)).toEqual({ clusterNodes: ['b:7000'] });
  });

  it('re-validates an already parsed config (per-request overrides re-parse it)', () => {
    const config = loadConfig({ env: { REDIS_CLUSTER_NODES: 'b:7000' } });
    expect(loadConfig({ overrides: { ...config } }).redisClusterNodes).toEqual(['b:7000']);
  });

  it('has a connect deadline and a key lifetime by default', () => {
    expect(loadConfig({})).toMatchObject({ redisConnectTimeoutSec: 10, redisKeyTtlSec: 86_400 });
  });
});

describe('numbers out of range', () => {
  it.each([
    [{ maxDepth: '0' }, '--max-depth: expected a whole number from 1 to 8, got 0'],
    [{ maxDepth: '9' }, '--max-depth: expected a whole number from 1 to 8, got 9'],
    [{ maxCostUsd: '0' }, '--max-cost: expected a number above 0, got 0'],
    [{ concurrency: '2.5' }, '--concurrency: expected a whole number from 1 to 10000, got 2.5'],
    [{ temperature: 5 }, 'temperature: expected a number from 0 to 2, got 5'],
    [{ redisKeyTtlSec: '10' }, 'RLM_REDIS_KEY_TTL: expected a whole number of at least 60, got 10'],
  ])('names the range, not the format: %j', (overrides, message) => {
    expect(() => loadConfig({ overrides })).toThrow(message);
  });

  it.each([
    [{ maxDepth: 0 }, 'maxDepth / RLM_MAX_DEPTH: expected a whole number from 1 to 8, got 0'],
    [{ maxCostUsd: 0 }, 'maxCostUsd: expected a number above 0, got 0'],
    [
      { redisUrl: 'redis://a:1', redisClusterNodes: ['b:2'] },
      'redisUrl / REDIS_URL and redisClusterNodes / REDIS_CLUSTER_NODES: give one, not both',
    ],
  ])('names SDK options by their key under naming "options": %j', (overrides, message) => {
    expect(() => loadConfig({ overrides, naming: 'options' })).toThrow(message);
  });

  it('still names the format when the value is not a plain decimal', () => {
    expect(() => loadConfig({ overrides: { maxDepth: '0x10' } })).toThrow(
      '--max-depth: expected a plain decimal number (digits, optionally one decimal point), got "0x10"',
    );
  });
});
