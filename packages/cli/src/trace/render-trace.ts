/**
 * `rlm trace`'s printer. Pure: a parsed trajectory in, terminal lines out.
 *
 *   header      the run's settings and context
 *   tree        session > turn > step > sub-call > child session ...
 *   footer      the request's result
 *
 * Session lines show totals of their whole subtree; turn, step and sub-call
 * lines show their own figures. With `maxDepth`, sessions deeper than it
 * become one summary line each (counts, tokens, cost) under the call that
 * started them.
 */
import type { SessionNode, StepNode, SubcallNode, SubtreeTotals, TurnNode } from './call-tree.ts';
import { buildCallTree, subtreeTotals } from './call-tree.ts';
import type { Trajectory } from './read-trajectory.ts';
import type { TokenUsage } from '@rlm/shared';

export interface RenderOptions {
  /** Deepest session depth shown in full; undefined shows everything. */
  readonly maxDepth?: number;
  readonly color: boolean;
  /** `--code`: each turn's reply, each step's code and output, each sub-call's answer. */
  readonly code?: boolean;
}

/** Lines of a step's output shown with --code (the trajectory has all of it). */
const CODE_MODE_OUTPUT_LINES = 20;

interface DisplayNode {
  readonly text: string;
  readonly children: readonly DisplayNode[];
}

type Paint = (style: keyof typeof STYLES, text: string) => string;

const STYLES = { dim: '2', bold: '1', red: '31', green: '32', yellow: '33', cyan: '36' } as const;

export function renderTrace(trajectory: Trajectory, options: RenderOptions): string[] {
  const paint: Paint = options.color
    ? (style, text) => `\u001b[${STYLES[style]}m${text}\u001b[0m`
    : (_style, text) => text;
  const { metadata, result } = trajectory;
  const settings = metadata.settings as Partial<typeof metadata.settings> | undefined;
  const lines = [
    paint(
      'bold',
      `trajectory v${metadata.version}, started ${metadata.startedAt}, ${metadata.mode ?? 'embedded'} mode`,
    ),
    `  model ${settings?.model ?? '?'}, sub-model ${settings?.subModel ?? '?'}, max depth ${settings?.maxDepth ?? '?'}, max iterations ${settings?.maxIterations ?? '?'}` +
      (metadata.context === undefined
        ? ''
        : `; context ${metadata.context.type}, ${count(metadata.context.totalChars)} chars, sha256 ${metadata.context.sha256.slice(0, 12)}`),
  ];
  for (const root of buildCallTree(trajectory.events))
    lines.push(...draw(sessionNode(root, options, paint)));
  if (result === undefined) lines.push(paint('red', 'no result line: the run did not finish'));
  else {
    lines.push(
      `${paint('bold', 'result')} ${stop(result.stopReason, paint)} ${result.iterations} iterations, ${result.subcalls} sub-calls (${result.cacheHits} cache hits), ${result.usage.calls} LLM calls, ${tokens(result.usage)}, ${usd(result.costUsd)}, ${seconds(result.durationMs)}`,
      `  answer: ${oneLine(result.answer, 200)}`,
    );
  }
  return lines;
}

function sessionNode(session: SessionNode, options: RenderOptions, paint: Paint): DisplayNode {
  const { start, end } = session;
  const totals = subtreeTotals(session);
  const parts = [
    paint('bold', `session d${start.depth}`),
    // A child's id is the callId on the line above it.
    start.parentCallId === undefined ? paint('dim', start.sessionId) : '',
    paint('cyan', start.model),
    end === undefined ? paint('red', '[unfinished]') : stop(end.stopReason, paint),
    `${end?.iterations ?? session.turns.length} it`,
    `tree: ${totals.sessions} sessions, ${totals.iterations} it, ${totals.steps} steps, ${totals.subcalls} sub-calls (${totals.cacheHits} cache hits)`,
    `${tokens(totals.usage)}, ${usd(totals.costUsd)}`,
    end === undefined ? '' : seconds(end.durationMs),
    totals.errors > 0 ? paint('red', `${totals.errors} errors`) : '',
    end?.error === undefined ? '' : paint('red', `error: ${oneLine(end.error, 120)}`),
  ];
  return {
    text: parts.filter(Boolean).join('  '),
    children: session.turns.map((turn) => turnNode(turn, options, paint)),
  };
}

function turnNode(turn: TurnNode, options: RenderOptions, paint: Paint): DisplayNode {
  const completion = turn.completion;
  const label = turn.forcedFinal ? 'final-answer request' : `iteration ${turn.iteration}`;
  const parts = [
    label,
    completion === undefined ? paint('red', '(no reply)') : paint('cyan', completion.model),
    completion === undefined
      ? ''
      : `${tokens(completion.usage)}, ${usd(completion.costUsd)}, ${ms(completion.durationMs)}`,
    turn.end?.final === true ? paint('green', 'FINAL') : '',
    turn.end !== undefined && turn.end.codeBlocks === 0 && !turn.end.final
      ? paint('yellow', 'no code')
      : '',
  ];
  const steps = turn.steps.map((step) => stepNode(step, options, paint));
  const compaction = turn.compaction;
  const compacted: DisplayNode[] =
    compaction === undefined
      ? []
      : [
          {
            text: [
              paint('yellow', 'compacted'),
              `${count(compaction.messagesCompacted)} messages, ${count(compaction.tokensBefore)} -> ${count(compaction.tokensAfter)} tok`,
              `${tokens(compaction.usage)}, ${usd(compaction.costUsd)}`,
            ].join('  '),
            children: options.code === true ? [{ text: `${paint('dim', 'summary:')}\n${compaction.summary}`, children: [] }] : [],
          },
        ];
  const reply =
    options.code === true && completion !== undefined
      ? [{ text: `${paint('dim', 'reply:')}\n${completion.reply}`, children: [] }]
      : [];
  return { text: parts.filter(Boolean).join('  '), children: [...compacted, ...reply, ...steps] };
}

function stepNode(step: StepNode, options: RenderOptions, paint: Paint): DisplayNode {
  const end = step.end;
  // The first line that says something (not a lone brace) identifies the code.
  const firstLine = step.start.code.split('\n').find((line) => /[\p{L}\p{N}]/u.test(line)) ?? '';
  const parts = [
    `step ${step.start.step}`,
    end === undefined ? paint('red', '(unfinished)') : ms(end.durationMs),
    end === undefined ? '' : `output ${count(end.outputTotalChars)} chars`,
    end?.final === undefined ? '' : paint('green', 'FINAL'),
    end?.error === undefined
      ? ''
      : paint('red', `error ${end.error.name}: ${oneLine(end.error.message, 80)}`),
    end?.reset === undefined ? '' : paint('red', `REPL reset (${end.reset})`),
    paint('dim', oneLine(firstLine, 60)),
  ];
  const calls = [
    ...step.subcalls.map((call) => subcallNode(call, options, paint)),
    ...step.tools.map((tool): DisplayNode => ({
      text: [
        `tool ${tool.name}`,
        ms(tool.durationMs),
        tool.error === undefined ? '' : paint('red', `error: ${oneLine(tool.error, 80)}`),
      ]
        .filter(Boolean)
        .join('  '),
      children: [],
    })),
  ];
  if (options.code !== true) return { text: parts.filter(Boolean).join('  '), children: calls };
  const detail: DisplayNode[] = [{ text: `${paint('dim', 'code:')}\n${step.start.code}`, children: [] }];
  if (end !== undefined && end.output !== '') {
    const lines = end.output.split('\n');
    const shown = lines.slice(0, CODE_MODE_OUTPUT_LINES).join('\n');
    const more = lines.length > CODE_MODE_OUTPUT_LINES ? `\n… ${lines.length - CODE_MODE_OUTPUT_LINES} more lines` : '';
    detail.push({ text: `${paint('dim', 'output:')}\n${shown}${more}`, children: [] });
  }
  return { text: parts.filter(Boolean).join('  '), children: [...detail, ...calls] };
}

function subcallNode(call: SubcallNode, options: RenderOptions, paint: Paint): DisplayNode {
  const { start, end } = call;
  const parts = [
    `${start.kind}_query #${start.callId.split('.').at(-1) ?? start.callId} d${start.depth + 1}`,
    paint('cyan', start.model),
    start.promptChars === undefined ? '' : `prompt ${count(start.promptChars)} chars`,
    end?.usage === undefined ? '' : `${tokens(end.usage)}, ${usd(end.costUsd ?? 0)}`,
    end === undefined ? paint('red', '(unfinished)') : ms(end.durationMs),
    end?.cacheHit === true ? paint('yellow', 'cache hit') : '',
    end?.error === undefined ? '' : paint('red', `error: ${oneLine(end.error, 80)}`),
    options.code === true && end?.answer !== undefined ? `answer: ${oneLine(end.answer, 120)}` : '',
  ];
  const child = call.child;
  let children: DisplayNode[] = [];
  if (child !== undefined) {
    children =
      options.maxDepth !== undefined && child.start.depth > options.maxDepth
        ? [collapsedNode(subtreeTotals(child), paint)]
        : [sessionNode(child, options, paint)];
  }
  return { text: parts.filter(Boolean).join('  '), children };
}

function collapsedNode(totals: SubtreeTotals, paint: Paint): DisplayNode {
  const sessions = `${totals.sessions} session${totals.sessions === 1 ? '' : 's'} to depth ${totals.maxDepth}`;
  const text = [
    paint(
      'dim',
      `[collapsed] ${sessions}, ${totals.iterations} it, ${totals.steps} steps, ${totals.subcalls} sub-calls (${totals.cacheHits} cache hits)`,
    ),
    `${tokens(totals.usage)}, ${usd(totals.costUsd)}`,
    totals.errors > 0 ? paint('red', `${totals.errors} errors`) : '',
  ];
  return { text: text.filter(Boolean).join('  '), children: [] };
}

/** Draws a tree with box-drawing connectors; a node's further text lines sit under its first. */
function draw(root: DisplayNode): string[] {
  const lines = [root.text];
  const walk = (node: DisplayNode, prefix: string): void => {
    node.children.forEach((child, index) => {
      const last = index === node.children.length - 1;
      const inner = `${prefix}${last ? '   ' : '│  '}`;
      const [first = '', ...rest] = child.text.split('\n');
      lines.push(`${prefix}${last ? '└─ ' : '├─ '}${first}`);
      for (const line of rest) lines.push(`${inner}${child.children.length > 0 ? '│ ' : '  '}${line}`);
      walk(child, inner);
    });
  };
  walk(root, '');
  return lines;
}

function stop(reason: string, paint: Paint): string {
  return paint(reason === 'final' ? 'green' : 'yellow', `[${reason}]`);
}

function tokens(usage: TokenUsage): string {
  return `in ${count(usage.inputTokens)} / out ${count(usage.outputTokens)} / cached ${count(usage.cachedInputTokens)} tok`;
}

function count(value: number): string {
  return value.toLocaleString('en-US');
}

function usd(value: number): string {
  return `$${value.toFixed(4)}`;
}

function ms(value: number): string {
  return `${Math.round(value).toLocaleString('en-US')} ms`;
}

function seconds(value: number): string {
  return `${(value / 1000).toFixed(1)} s`;
}

function oneLine(text: string, max: number): string {
  const flat = text.replaceAll(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
