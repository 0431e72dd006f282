/**
 * Answers that must satisfy a JSON Schema. The schema is written into the
 * query the root model sees; the final answer is parsed as JSON (a fenced
 * ```json block is unwrapped) and validated with ajv. A non-conforming answer
 * gets a repair query naming the validation errors (see run-pair.ts).
 */
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import { RlmError } from '@rlm/shared';

export type SchemaCheck =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly problems: string };

export class AnswerSchema {
  readonly schema: object;
  private readonly validate: ValidateFunction;

  constructor(schema: object) {
    this.schema = schema;
    try {
      this.validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    } catch (error) {
      throw new RlmError(
        'config_invalid',
        `--schema: not a valid JSON Schema (${error instanceof Error ? error.message : String(error)})`,
      );
    }
  }

  /** The query as the model sees it: the caller's question, then the answer format. */
  queryWithSchema(query: string): string {
    return `${query}\n\nAnswer format: the final answer must be JSON (no prose around it) that satisfies this JSON Schema:\n${JSON.stringify(this.schema)}`;
  }

  /** The follow-up question when an answer did not conform. */
  repairQuery(query: string, answer: string, problems: string): string {
    return `${this.queryWithSchema(query)}\n\nA previous attempt answered:\n${answer}\nThat answer was rejected: ${problems}. Give a corrected final answer that satisfies the schema.`;
  }

  check(answer: string): SchemaCheck {
    let value: unknown;
    try {
      value = JSON.parse(unwrapFence(answer));
    } catch {
      return { ok: false, problems: 'it is not valid JSON' };
    }
    if (this.validate(value)) return { ok: true, value };
    const problems = (this.validate.errors ?? [])
      .map(
        (error) =>
          `${error.instancePath === '' ? 'the value' : error.instancePath} ${error.message ?? 'is invalid'}`,
      )
      .join('; ');
    return { ok: false, problems: `it does not satisfy the schema (${problems})` };
  }
}

function unwrapFence(answer: string): string {
  const fenced = /^\s*```(?:json)?\s*\n([\s\S]*?)\n\s*```\s*$/.exec(answer);
  return (fenced?.[1] ?? answer).trim();
}
