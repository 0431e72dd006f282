/**
 * User-supplied tasks: a JSONL file, one object per line,
 * `{"context": string | string[], "question": string, "answer": string | number, "grader": "exact" | "numeric" | "contains" | "pairs"}`
 * (`grader` defaults to `exact`; an `id` member is kept when present).
 * Every line is checked up front and a bad one is named with its line number.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { countTokens, RlmError } from '@rlm/shared';
import { GRADER_NAMES, type EvalInstance, type GraderName } from '../types.ts';

const TaskLine = z.object({
  id: z.string().min(1).optional(),
  context: z.union([z.string(), z.array(z.string())]),
  question: z.string().min(1),
  answer: z.union([z.string().min(1), z.number()]),
  grader: z.enum(GRADER_NAMES as [GraderName, ...GraderName[]]).default('exact'),
});

export function parseTaskLines(text: string, task: string): EvalInstance[] {
  const instances: EvalInstance[] = [];
  const lines = text.split('\n');
  for (const [lineIndex, line] of lines.entries()) {
    if (line.trim() === '') continue;
    const where = `${task}: line ${lineIndex + 1}`;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      throw new RlmError('config_invalid', `${where}: not valid JSON`);
    }
    const parsed = TaskLine.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new RlmError(
        'config_invalid',
        `${where}: ${issue?.path.join('.') || 'line'}: ${issue?.message ?? 'invalid'}`,
      );
    }
    const item = parsed.data;
    if (item.grader === 'numeric' && !Number.isFinite(Number(item.answer))) {
      throw new RlmError('config_invalid', `${where}: grader "numeric" needs a numeric answer`);
    }
    const context = Array.isArray(item.context) ? item.context.join('\n\n') : item.context;
    const contextTokens = countTokens(context);
    instances.push({
      id: `${task}/${item.id ?? String(instances.length)}`,
      task,
      lengthTokens: contextTokens,
      contextTokens,
      seed: 0,
      context,
      query: item.question,
      expected: String(item.answer),
      grader: item.grader,
    });
  }
  if (instances.length === 0) throw new RlmError('config_invalid', `${task}: no tasks in the file`);
  return instances;
}

/** The instances of a task file; the task is named after the file. */
export async function loadTaskFile(file: string): Promise<EvalInstance[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new RlmError('config_invalid', `--task-file: cannot read ${file}`);
  }
  return parseTaskLines(text, path.basename(file).replace(/\.jsonl?$/, ''));
}
