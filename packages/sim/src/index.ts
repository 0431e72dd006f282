/**
 * @rlm/sim: the simulated OpenAI-compatible model server, its policies, and
 * the synthetic long-context tasks with exact graders (DESIGN section 5).
 */
export { startSimServer, createPolicy } from './server/sim-server.ts';
export type { SimServer } from './server/sim-server.ts';
export {
  CustomPolicyOptions,
  FaultOptions,
  PolicyOptions,
  ScriptedPolicyOptions,
  ScriptedReply,
  SimServerOptions,
  SolverPolicyOptions,
} from './server/options.ts';
export type { ResolvedSimServerOptions } from './server/options.ts';
export { promptHash } from './server/stats.ts';
export type { FaultKind, SimStats } from './server/stats.ts';
export { CACHE_INCREMENT_TOKENS, CACHE_MINIMUM_TOKENS } from './server/prefix-cache.ts';

export type { Policy, PolicyReply, SimMessage, SimRequest } from './policies/policy.ts';
export { createScriptedPolicy } from './policies/scripted.ts';
export type { ScriptedReplyFunction } from './policies/scripted.ts';
export { createSolverPolicy, parseSolveSpec } from './policies/solver.ts';
export type { ResolvedSolverOptions } from './policies/solver.ts';
export { ANSWER_MARKER, childCode, peekCode, solveCode } from './policies/solver-code.ts';
export type { SolveCodeOptions, SolveSpec } from './policies/solver-code.ts';
export { answerSubcall, corruptReply } from './policies/subcall-answerer.ts';
export {
  DIRECT_PROMPT_OVERHEAD_CHARS,
  parseDirectPrompt,
  renderDirectPrompt,
} from './policies/direct-prompt.ts';
export { answerDirect } from './policies/direct-answerer.ts';
export { rulesFromSample, openingKey } from './policies/repl-only-code.ts';
export type { SubcallAnswererOptions } from './policies/subcall-answerer.ts';
export {
  findSubcallInstruction,
  renderSubcallInstruction,
} from './policies/subcall-instructions.ts';
export type { SubcallInstruction } from './policies/subcall-instructions.ts';
export {
  extractQuery,
  isEngineSessionRequest,
  isFinalAnswerRequest,
} from './policies/engine-transcript.ts';

export { generateTask, gradeAnswer, TASK_FAMILIES } from './tasks/generate-task.ts';
export type { GenerateTaskOptions, SyntheticTask, TaskFamily } from './tasks/generate-task.ts';
export { generateNeedleTask, gradeNeedleAnswer, parseNeedleQuery } from './tasks/needle.ts';
export type { NeedleTask, NeedleTaskOptions } from './tasks/needle.ts';
export { generateOolongTask, gradeOolongAnswer } from './tasks/oolong.ts';
export type { OolongTask, OolongTaskOptions } from './tasks/oolong.ts';
export { parseOolongQuery, renderOolongQuery } from './tasks/oolong-query.ts';
export type { OolongFilter, OolongQuestion, OolongQuestionKind } from './tasks/oolong-query.ts';
export { generatePairsTask, gradePairsAnswer, parsePairsQuery } from './tasks/pairs.ts';
export type { PairsTask, PairsTaskOptions } from './tasks/pairs.ts';
export { isLabel, labelOf, LABELS } from './tasks/labels.ts';
export type { Label } from './tasks/labels.ts';
export {
  exactMatchScore,
  formatPairs,
  normaliseAnswer,
  numericScore,
  pairF1Score,
  parsePairs,
} from './tasks/grading.ts';
export type { UserPair } from './tasks/grading.ts';
