import { RedisCallCoalescer } from '@rlm/redis';
import { LocalCallCoalescer } from '@rlm/worker';
import { describeCoalescerContract } from './coalescer-contract.ts';
import { useRedis } from '../support/redis-fixture.ts';

const redis = useRedis();

describeCoalescerContract('LocalCallCoalescer', () => new LocalCallCoalescer());
describeCoalescerContract(
  'RedisCallCoalescer',
  () =>
    new RedisCallCoalescer(redis.client(), redis.freshKeys(), {
      namespace: 'subcall-v1',
      ttlSeconds: 60,
    }),
);
// The claim Redis servers before 7.0 get (NX with GET is refused there).
describeCoalescerContract(
  'RedisCallCoalescer (script claim)',
  () =>
    new RedisCallCoalescer(redis.client(), redis.freshKeys(), {
      namespace: 'subcall-v1',
      ttlSeconds: 60,
      claim: 'script',
    }),
);
