/**
 * The raw-BullMQ side of the sub-call cost benchmark, in its own process (as
 * `rlm worker` is): one BullMQ Worker (concurrency 256 unless given) whose
 * processor makes one chat completion with the openai client against the simulator.
 * argv: <redisUrl> <baseUrl> <prefix> <queue> [concurrency]. Prints READY, stops when stdin ends.
 */
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import OpenAI from 'openai';

const [redisUrl, baseUrl, prefix, queue, concurrencyArg] = process.argv.slice(2);
if (redisUrl === undefined || baseUrl === undefined || prefix === undefined || queue === undefined) {
  process.stderr.write('usage: raw-bullmq-worker.ts <redisUrl> <baseUrl> <prefix> <queue> [concurrency]\n');
  process.exit(2);
}
const client = new OpenAI({ baseURL: baseUrl, apiKey: 'sim' });
const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
const worker = new Worker(
  queue,
  async (job: { data: { prompt: string } }) => {
    const completion = await client.chat.completions.create({
      model: 'sim-small',
      messages: [{ role: 'user', content: job.data.prompt }],
    });
    return completion.choices[0]?.message.content ?? '';
  },
  { connection, prefix, concurrency: Number(concurrencyArg ?? '256') },
);
await worker.waitUntilReady();
process.stdout.write('READY\n');
process.stdin.resume();
process.stdin.on('end', () => {
  void worker.close().then(() => {
    connection.disconnect();
    process.exit(0);
  });
});
