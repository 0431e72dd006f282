/**
 * The solver policy: plays the root model for the synthetic task families by
 * writing real JavaScript (or Python, for a Python REPL: solver-python-code.ts) for the engine's REPL, plays the child model of
 * rlm_query, and answers plain sub-calls from the text it is given. It proves
 * plumbing, not intelligence: its plans are fixed, but every number in its
 * final answer flows through the engine's REPL and sub-calls.
 *
 * Turns of an engine session (see engine-transcript.ts for the format):
 * - a final-answer request (iteration limit): a plain `FINAL(...)` line from the latest REPL output;
 * - root, first turn: peek at the context;
 * - child, first turn: read the instruction from `context` and fan out over sub-chunks;
 * - root, after the peek: the solve step for the family parsed from the query;
 * - after a solve step that printed an answer: repeat it as a plain `FINAL(...)`;
 * - after a solve step that failed: try it once more, then give up politely.
 * Without llm_query in the system prompt (REPL-only) the first turn prints a sample of
 * lines and the solve step classifies with keyword rules learned from it. A plain
 * message in the direct baseline's format is answered from the document it carries.
 */
import type { SolverPolicyOptions } from '../server/options.ts';
import {
  readEngineTranscript,
  isFinalAnswerRequest,
  type EngineTranscript,
} from './engine-transcript.ts';
import { fnv1a } from '../random.ts';
import { answerDirect } from './direct-answerer.ts';
import { parseDirectPrompt } from './direct-prompt.ts';
import type { Policy, SimMessage } from './policy.ts';
import { replOnlySolveCode, rulesFromSample, sampleCode } from './repl-only-code.ts';
import {
  ANSWER_MARKER,
  childCode,
  parseSolveSpec,
  peekCode,
  SOLVE_MARKER,
  solveCode,
} from './solver-code.ts';
import {
  pythonChildCode,
  pythonPeekCode,
  pythonReplOnlySolveCode,
  pythonSampleCode,
  pythonSolveCode,
} from './solver-python-code.ts';
import { answerSubcall } from './subcall-answerer.ts';
import { findSubcallInstruction } from './subcall-instructions.ts';

export type ResolvedSolverOptions = Required<Omit<SolverPolicyOptions, 'type'>>;

const DEFAULTS: ResolvedSolverOptions = {
  labelErrorRate: 0,
  strategy: 'llm',
  chunkChars: 50_000,
  childChunkChars: 12_500,
  seed: 0,
  subcallErrorRate: 0,
  programErrorRate: 0,
  slowProgramRate: 0,
};

/** A solve step is tried at most this many times before the solver gives up. */
const MAX_SOLVE_ATTEMPTS = 2;
const NO_ANSWER = 'I could not determine the answer.';

export function createSolverPolicy(options: Partial<ResolvedSolverOptions> = {}): Policy {
  const resolved: ResolvedSolverOptions = { ...DEFAULTS, ...withoutUndefined(options) };
  return {
    reply(request) {
      const transcript = readEngineTranscript(request.messages);
      if (!transcript) {
        const prompt = lastUserContent(request.messages);
        const direct = parseDirectPrompt(prompt);
        if (direct) return answerDirect(direct.document, direct.question, resolved);
        return answerSubcall(prompt, resolved);
      }
      return nextEngineTurn(transcript, resolved);
    },
  };
}

export function nextEngineTurn(
  transcript: EngineTranscript,
  options: ResolvedSolverOptions,
): string {
  const latestAnswer = findLatestAnswer(transcript.laterUserMessages);
  if (
    transcript.lastUserMessage !== undefined &&
    isFinalAnswerRequest(transcript.lastUserMessage)
  ) {
    return plainFinal(latestAnswer ?? NO_ANSWER);
  }
  const python = transcript.language === 'python';
  if (transcript.assistantMessages.length === 0) {
    if (transcript.isChild) {
      const instruction = findSubcallInstruction(transcript.firstUserMessage) ?? {
        family: 'generic',
        question: 'Summarise the material.',
      };
      return replWith(
        'The context starts with an instruction line; I will split the material and ask sub-calls.',
        python
          ? pythonChildCode(instruction, options.childChunkChars)
          : childCode(instruction, options.childChunkChars),
      );
    }
    if (!transcript.subcallsOffered) {
      return replWith(
        'No sub-calls here: let me print a sample of the context.',
        python ? pythonSampleCode() : sampleCode(),
      );
    }
    return replWith('Let me look at the context first.', python ? pythonPeekCode() : peekCode());
  }
  if (latestAnswer !== undefined) return plainFinal(latestAnswer);
  const solveAttempts = transcript.assistantMessages.filter((message) =>
    message.includes(SOLVE_MARKER),
  ).length;
  if (transcript.isChild || solveAttempts >= MAX_SOLVE_ATTEMPTS) return plainFinal(NO_ANSWER);
  const spec = parseSolveSpec(transcript.query);
  if (!transcript.subcallsOffered) {
    const rules = rulesFromSample(transcript.laterUserMessages[0] ?? '', options);
    return replWith(
      `This is a ${spec.family} task and there is no model in the REPL: I will apply what the sample showed with code.`,
      python ? pythonReplOnlySolveCode(spec, rules) : replOnlySolveCode(spec, rules),
    );
  }
  // Program flaws are drawn per query and attempt, so a seed reproduces them and a retry may differ.
  const roll = (stream: string): number =>
    fnv1a(`${stream}#${solveAttempts}#${transcript.query}`, options.seed) / 4_294_967_296;
  return replWith(
    `This is a ${spec.family} task. I will chunk the context on line boundaries, ask sub-calls in parallel and aggregate in code.`,
    (python ? pythonSolveCode : solveCode)(spec, {
      ...options,
      dropLastChunk: roll('wrong-program') < options.programErrorRate,
      sequential: roll('slow-program') < options.slowProgramRate,
    }),
  );
}

export { parseSolveSpec };

function replWith(thought: string, code: string): string {
  return `${thought}\n\n\`\`\`repl\n${code}\n\`\`\``;
}

/** One line: the engine reads a line starting with `FINAL(`; multi-line answers are joined with spaces. */
function plainFinal(answer: string): string {
  return `FINAL(${answer.replace(/\s*\n\s*/g, ' ')})`;
}

function findLatestAnswer(userMessages: readonly string[]): string | undefined {
  for (let index = userMessages.length - 1; index >= 0; index -= 1) {
    const message = userMessages[index] ?? '';
    const at = message.lastIndexOf(ANSWER_MARKER);
    if (at === -1) continue;
    const line = message.slice(at + ANSWER_MARKER.length).split('\n', 1)[0] ?? '';
    try {
      const value: unknown = JSON.parse(line);
      if (typeof value === 'string') return value;
    } catch {
      // A truncated output line: keep looking further back.
    }
  }
  return undefined;
}

function lastUserContent(messages: readonly SimMessage[]): string {
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index];
    if (message?.role === 'user') return message.content ?? '';
  }
  return '';
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, member]) => member !== undefined),
  ) as Partial<T>;
}
