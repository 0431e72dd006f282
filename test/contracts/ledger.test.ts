import { LocalLedger } from '@rlm/shared';
import { RedisLedger } from '@rlm/redis';
import { describeLedgerContract } from './ledger-contract.ts';
import { useRedis } from '../support/redis-fixture.ts';

const redis = useRedis();

describeLedgerContract('LocalLedger', (limits) => new LocalLedger(limits));
describeLedgerContract(
  'RedisLedger',
  (limits) => new RedisLedger(redis.client(), redis.freshKeys(), { rootId: 'root-1', limits }),
);
