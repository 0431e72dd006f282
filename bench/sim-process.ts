/**
 * A simulator in its own process, so benchmarks measure the engine on one
 * core and the "provider" on the other rather than both on one event loop.
 * argv: <subcalls> <latencyMs>. The root turn answers with code that fans
 * out <subcalls> llm_query calls (fresh prompts per request, via a nonce) and
 * declares the count of "ok" replies final; sub-calls answer "ok".
 */
import { startSimServer } from '@rlm/sim';
import { isRootRequest } from './root-request.ts';

const subcalls = Number(process.argv[2] ?? '100');
const latencyMs = Number(process.argv[3] ?? '0');
const code = [
  '```repl',
  'const nonce = Math.random().toString(36).slice(2);',
  `const replies = await Promise.all(Array.from({ length: ${subcalls} }, (_, i) => llm_query('Reply with ok. ' + nonce + ' item ' + i)));`,
  'FINAL(String(replies.filter((r) => r === "ok").length));',
  '```',
].join('\n');

const sim = await startSimServer({
  policy: { type: 'scripted', replies: (request) => (isRootRequest(request) ? code : 'ok') },
  latency: { firstTokenMs: latencyMs, perOutputTokenMs: 0 },
});
process.stdout.write(`READY ${sim.baseUrl}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void sim.close().then(() => process.exit(0));
});
