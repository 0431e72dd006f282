import { ReplSession } from './src/sandbox/index.ts';
import { FakeReplHost } from './src/sandbox/fake-repl-host.ts';
const s = await ReplSession.create({ context: 'c', host: new FakeReplHost(), maxCapturedOutputChars: 100_000_000 });
for (let i=0;i<3;i++){
const t=performance.now();
const r = await s.execute('for (let i = 0; i < 100000; i++) print("line " + i)', { timeoutMs: 60000 });
console.log(r.outputTotalChars, Math.round(performance.now()-t), 'ms');
}
const r2 = await s.execute('print("before"); while(true){}', { timeoutMs: 500 });
console.log(JSON.stringify(r2.output), r2.reset);
s.dispose();
