import { LocalLimiter } from '@rlm/shared';
import { RedisLimiter } from '@rlm/redis';
import { describeLimiterContract } from './limiter-contract.ts';
import { useRedis } from '../support/redis-fixture.ts';

const redis = useRedis();

describeLimiterContract('LocalLimiter', (capacity) => new LocalLimiter(capacity));
describeLimiterContract(
  'RedisLimiter',
  (capacity) => new RedisLimiter(redis.client(), redis.freshKeys(), { rootId: 'root-1', capacity }),
);
