/**
 * A simulator in its own process, so benchmarks measure the engine on one
 * core and the "provider" on the other rather than both on one event loop.
 * argv: <subcalls> <latencyMs> [steps] [js|python]. The first steps-1 root turns run a
 * small step over the context; the last fans out <subcalls> llm_query calls
 * (fresh prompts per request, via a nonce) and declares the count of "ok"
 * replies final; sub-calls answer "ok". Python sessions get the same program in Python.
 */
import { isEngineSessionRequest, startSimServer } from '@rlm/sim';
import { fanOutProgram, fanOutPythonProgram } from './fan-out-program.ts';

const subcalls = Number(process.argv[2] ?? '100');
const latencyMs = Number(process.argv[3] ?? '0');
const steps = Number(process.argv[4] ?? '1');
const python = process.argv[5] === 'python';
const warmUpStep = ['```repl', python ? 'print(len(context), context[-7:])' : 'print(context.length, context.slice(-7))', '```'].join('\n');
const code = python ? fanOutPythonProgram(subcalls) : fanOutProgram(subcalls);

const sim = await startSimServer({
  policy: {
    type: 'scripted',
    replies: (request) => {
      if (!isEngineSessionRequest(request.messages)) return 'ok';
      const turn = request.messages.filter((message) => message.role === 'assistant').length;
      return turn < steps - 1 ? warmUpStep : code;
    },
  },
  latency: { firstTokenMs: latencyMs, perOutputTokenMs: 0 },
});
process.stdout.write(`READY ${sim.baseUrl}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void sim.close().then(() => process.exit(0));
});
