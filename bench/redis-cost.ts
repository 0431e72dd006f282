/**
 * What a stretch of work cost the Redis server: commands it executed
 * (INFO commandstats, which counts the commands Lua scripts run too) and CPU
 * seconds of the redis-server process (INFO cpu, user + sys). The counters
 * are reset at the start, so only this stretch counts.
 */
import type { Redis } from 'ioredis';

export interface RedisCost {
  readonly commands: number;
  readonly cpuSeconds: number;
  /** Calls per command name, largest first. */
  readonly byCommand: ReadonlyMap<string, number>;
}

export async function measureRedisCost<T>(redis: Redis, body: () => Promise<T>): Promise<{ value: T; cost: RedisCost }> {
  await redis.config('RESETSTAT');
  const cpuBefore = await cpuSeconds(redis);
  const value = await body();
  const cpuAfter = await cpuSeconds(redis);
  const byCommand = await commandCalls(redis);
  let commands = 0;
  for (const calls of byCommand.values()) commands += calls;
  return { value, cost: { commands, cpuSeconds: cpuAfter - cpuBefore, byCommand } };
}

async function cpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string): number => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 'NaN');
  return field('used_cpu_user') + field('used_cpu_sys');
}

/** Our own INFO / CONFIG calls are left out: they are the measurement, not the work. */
async function commandCalls(redis: Redis): Promise<Map<string, number>> {
  const info = await redis.info('commandstats');
  const calls = new Map<string, number>();
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    const name = match[1] ?? '';
    if (name === 'info' || name.startsWith('config')) continue;
    calls.set(name, Number(match[2]));
  }
  return new Map([...calls].sort((a, b) => b[1] - a[1]));
}
