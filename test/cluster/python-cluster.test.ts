/**
 * The Python REPL in cluster mode, with real processes: a session's state outlives the worker
 * that built it. Turn 1 defines variables, a function, a class instance and an import on worker
 * A; the test then kills A with SIGKILL (its sandbox goes with it) and starts worker B, which must
 * run turn 2 from the snapshot recorded after turn 1.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ScriptedReplyFunction } from '@rlm/sim';
import { isSessionTurn, turnIndex } from '../support/engine-requests.ts';
import { startClusterFixture } from './cluster-fixture.ts';
import type { ClusterFixture } from './cluster-fixture.ts';

let cluster: ClusterFixture | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

function python(code: string): string {
  return '```repl\n' + code + '\n```';
}

const TURN_1 = python(
  [
    'import re',
    'hits = re.findall(r"\\d+", context)',
    'def total(values):',
    '    return sum(int(v) for v in values)',
    'class Box:',
    '    def __init__(self, label): self.label = label',
    'box = Box("kept")',
    'summary = llm_query("summarise " + str(len(hits)))',
    'answer["content"] = "partial"',
  ].join('\n'),
);
const TURN_2 = python('FINAL(f"{total(hits)} {box.label} {summary} {answer[\'content\']} {len(context)}")');

describe('Python REPL in the cluster', () => {
  it('a worker killed between steps: the next step restores the state on another worker', async () => {
    let secondTurnAsked: () => void = () => {};
    const secondTurn = new Promise<void>((resolve) => {
      secondTurnAsked = resolve;
    });
    let proceed: () => void = () => {};
    const proceeding = new Promise<void>((resolve) => {
      proceed = resolve;
    });
    const replies: ScriptedReplyFunction = async (request) => {
      if (!isSessionTurn(request)) return 'sub-answer';
      if (turnIndex(request) === 0) return TURN_1;
      // Hold turn 2 until worker A is dead and worker B is up.
      secondTurnAsked();
      await proceeding;
      return TURN_2;
    };
    cluster = await startClusterFixture({ policy: { type: 'scripted', replies } });
    const [workerA] = await Promise.all([cluster.start('worker'), cluster.start('orchestrator')]);
    const pending = cluster.client({ repl: 'python' }).completion('a 1 b 20 c 300', 'sum the numbers');
    await secondTurn;
    await workerA.kill('SIGKILL');
    await cluster.start('worker');
    proceed();
    const result = await pending;
    expect(result.stopReason).toBe('final');
    expect(result.answer).toBe('321 kept sub-answer partial 14');
  }, 180_000);
});
