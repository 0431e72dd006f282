/**
 * @rlm/eval: the evaluation harness. Methods (rlm, rlm-no-subcalls, direct)
 * side by side on the same seeded instances, exact graders, statistics with
 * their sampling error, and a Markdown report with SVG charts.
 */
export { evaluate, writeResults } from './evaluation.ts';
export type { EvaluationOptions } from './evaluation.ts';
export { grade } from './graders.ts';
export { truncateToTokens } from './methods/direct-method.ts';
export type { EndpointSettings, EvalMethod } from './methods/method.ts';
export { buildReport, formatTokens } from './report/markdown-report.ts';
export type { EvalReport } from './report/markdown-report.ts';
export { lineChart } from './report/svg-line-chart.ts';
export type { ChartSeries, LineChartOptions } from './report/svg-line-chart.ts';
export { runEval } from './runner.ts';
export { distribution, mean, pairedDifference, quantile, standardError } from './stats.ts';
export type { Distribution, PairedDifference } from './stats.ts';
export { loadTaskFile, parseTaskLines } from './tasks/jsonl-tasks.ts';
export { SYNTHETIC_TASKS, syntheticInstance } from './tasks/synthetic.ts';
export type { SyntheticTaskName } from './tasks/synthetic.ts';
export { GRADER_NAMES, METHOD_NAMES } from './types.ts';
export type {
  EvalInstance,
  EvalResults,
  EvalRunInfo,
  GraderName,
  InstanceResult,
  MethodName,
  MethodOutcome,
} from './types.ts';
