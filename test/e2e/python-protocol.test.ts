/**
 * The RLM protocol in Python (`repl: 'python'`), end to end: the SDK, the real openai client and
 * the simulator with scripted replies. One test per name of the protocol; each reply is Python the
 * way a model trained on the reference library writes it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RLM } from '@rlm/sdk';
import type { RLMOptions } from '@rlm/sdk';
import { startSimServer } from '@rlm/sim';
import type { ScriptedReplyFunction, SimServer } from '@rlm/sim';
import type { RlmEvent } from '@rlm/shared';
import { isSessionTurn, lastUserMessage, turnIndex } from '../support/engine-requests.ts';

// Every test starts Python sandboxes (Pyodide loads in 2-3 s alone, far longer on a busy machine).
vi.setConfig({ testTimeout: 180_000 });

let sim: SimServer | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

function python(code: string, tag = 'repl'): string {
  return '```' + tag + '\n' + code + '\n```';
}

/** Root turns follow `turns` in order; sub-calls answer `sub:<prompt>`. */
async function engine(turns: readonly string[], options: Partial<RLMOptions> = {}): Promise<RLM> {
  const replies: ScriptedReplyFunction = (request) =>
    isSessionTurn(request)
      ? (turns[turnIndex(request)] ?? 'FINAL(out of script)')
      : `sub:${lastUserMessage(request)}`;
  sim = await startSimServer({ policy: { type: 'scripted', replies } });
  return new RLM({ baseUrl: sim.baseUrl, model: 'sim-large', subModel: 'sim-small', env: {}, repl: 'python', ...options });
}

/** What the model was told after its first turn. */
function feedbackAfterTurn(events: readonly RlmEvent[], iteration: number): string {
  const end = events.find((event) => event.type === 'iteration-end' && event.iteration === iteration);
  return end?.type === 'iteration-end' ? (end.feedback ?? '') : '';
}

describe('the Python REPL protocol', () => {
  it('gives the root model the Python system prompt with every name', async () => {
    let system = '';
    sim = await startSimServer({
      policy: {
        type: 'scripted',
        replies: (request) => {
          system = request.messages[0]?.content ?? '';
          return 'FINAL(done)';
        },
      },
    });
    const rlm = new RLM({ baseUrl: sim.baseUrl, model: 'sim-large', env: {}, repl: 'python' });
    expect((await rlm.completion('ctx', 'q')).answer).toBe('done');
    for (const name of ['llm_query(prompt, model=None)', 'llm_query_batched(prompts, model=None)', 'rlm_query', 'rlm_query_batched', 'FINAL(value)', 'FINAL_VAR("name")', 'answer["content"]', 'answer["ready"] = True', 'SHOW_VARS()', 'print(...)', '```repl', 'Python'])
      expect(system).toContain(name);
    expect(system).not.toContain('await');
  });

  it('runs context, print, persistent globals, functions and imports across turns, and FINAL in code', async () => {
    const events: RlmEvent[] = [];
    const rlm = await engine([
      python('import re\nwords = context.split()\ndef shout(s):\n    return s.upper()\nprint(len(words), type(context).__name__)'),
      python('FINAL(shout(words[1]) + " " + str(len(re.findall("o", context))))', 'python'),
    ]);
    const result = await rlm.completion('hello world foo', 'q', { onEvent: (event) => events.push(event) });
    expect(result).toMatchObject({ answer: 'WORLD 4', stopReason: 'final', iterations: 2 });
    const feedback = feedbackAfterTurn(events, 1);
    expect(feedback).toContain('3 str');
    expect(feedback).toMatch(/Variables: .*words: list \(3\).*shout: function/);
  });

  it('passes list and JSON contexts as Python values', async () => {
    const rlm = await engine([python('FINAL(f"{len(context)} {context[1]} {type(context).__name__}")')]);
    expect((await rlm.completion(['a', 'bb', 'ccc'], 'q')).answer).toBe('3 bb list');
    const again = await engine([python('FINAL(context["items"][2]["n"] * 2)')]);
    expect((await again.completion({ items: [{ n: 1 }, { n: 2 }, { n: 21 }] }, 'q')).answer).toBe('42');
  });

  it('llm_query and llm_query_batched return strs in order; bad input is an Error: str, never an exception', async () => {
    const rlm = await engine([
      python(
        'one = llm_query("alpha")\nmany = llm_query_batched(["b1", "b2", "b3"])\nbad = llm_query(42)\nother = llm_query("x", model="no-such-model")\nFINAL(" | ".join([one] + many + [bad[:6], other[:6]]))',
      ),
    ]);
    expect((await rlm.completion('ctx', 'q')).answer).toBe('sub:alpha | sub:b1 | sub:b2 | sub:b3 | Error: | Error:');
  });

  it('refuses a batch whose prompts pass the prompt-character cap before sending it (one large str repeated)', async () => {
    const rlm = await engine([
      python(
        'big = "x" * 20_000_000\nmany = llm_query_batched([big] * 20)\none = llm_query("y" * 300_000_000)\nFINAL(str(len(many)) + " | " + many[0][:60] + " | " + one[:52])',
      ),
    ]);
    const result = await rlm.completion('ctx', 'q');
    expect(result.answer).toBe(
      '1 | Error: llm_query_batched: its prompts hold 400000000 charact | Error: llm_query: its prompts hold 300000000 charact',
    );
    expect(result.subcalls).toBe(0);
  });

  it('rlm_query runs a child Python session below the depth limit and a plain call at it', async () => {
    const turns = (request: Parameters<ScriptedReplyFunction>[0]): string => {
      const first = request.messages.find((message) => message.role === 'user')?.content ?? '';
      // The child session's context is the prompt; it answers from its own REPL.
      if (first.includes('child task')) return python('FINAL("child saw " + str(len(context)))');
      return python('r = rlm_query("child task")\nrb = rlm_query_batched(["child task", "child task"])\nFINAL(r + " / " + " / ".join(rb))');
    };
    sim = await startSimServer({
      policy: { type: 'scripted', replies: (request) => (isSessionTurn(request) ? turns(request) : `sub:${lastUserMessage(request)}`) },
    });
    const deep = new RLM({ baseUrl: sim.baseUrl, model: 'sim-large', env: {}, repl: 'python', maxDepth: 2 });
    expect((await deep.completion('ctx', 'q')).answer).toBe('child saw 10 / child saw 10 / child saw 10');
    const flat = new RLM({ baseUrl: sim.baseUrl, model: 'sim-large', env: {}, repl: 'python', maxDepth: 1 });
    expect((await flat.completion('ctx', 'q')).answer).toBe('sub:child task / sub:child task / sub:child task');
  });

  it('FINAL_VAR in code and on a line of the reply text', async () => {
    const inCode = await engine([python('total = sum(range(5))\nFINAL_VAR("total")')]);
    expect((await inCode.completion('ctx', 'q')).answer).toBe('10');
    const inText = await engine([python('result = "from a variable"'), 'The answer is ready.\nFINAL_VAR(result)']);
    expect((await inText.completion('ctx', 'q')).answer).toBe('from a variable');
    const plain = await engine(['FINAL(plain text answer)']);
    expect((await plain.completion('ctx', 'q')).answer).toBe('plain text answer');
  });

  it('the answer dict: content is the partial answer, ready ends the run', async () => {
    const rlm = await engine([python('answer["content"] = "draft"'), python('answer["content"] += " final"\nanswer["ready"] = True')]);
    expect((await rlm.completion('ctx', 'q')).answer).toBe('draft final');
  });

  it('SHOW_VARS lists user variables; errors and truncated output reach the model', async () => {
    const events: RlmEvent[] = [];
    const rlm = await engine(
      [python('n = 5\ntext = "abc"\nSHOW_VARS()\nprint("x" * 5000)\nraise KeyError("missing")'), 'FINAL(ok)'],
      { outputLimitChars: 1000 },
    );
    await rlm.completion('ctx', 'q', { onEvent: (event) => events.push(event) });
    const feedback = feedbackAfterTurn(events, 1);
    expect(feedback).toContain('n: int');
    expect(feedback).toContain('text: str (3 chars)');
    expect(feedback).toContain('Error: KeyError');
    expect(feedback.length).toBeLessThan(2000);
    expect(feedback).toMatch(/\[truncated [\d,]+ of 5,[\d]{3} characters\]/);
  });

  it('runs every block of a reply in order, ignoring JavaScript blocks', async () => {
    const reply = [python('a = 1'), '```js\nthrow new Error("not for python")\n```', python('a += 1', 'python'), python('FINAL(a)', 'py')].join('\n');
    const rlm = await engine([reply]);
    expect((await rlm.completion('ctx', 'q')).answer).toBe('2');
  });

  it('a per-request override chooses the language', async () => {
    sim = await startSimServer({
      policy: { type: 'scripted', replies: () => python('import sys\nFINAL(sys.version_info[0])') },
    });
    const rlm = new RLM({ baseUrl: sim.baseUrl, model: 'sim-large', env: {} });
    expect((await rlm.completion('ctx', 'q', { overrides: { repl: 'python' } })).answer).toBe('3');
  });
});
