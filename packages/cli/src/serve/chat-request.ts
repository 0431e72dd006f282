/**
 * The body of POST /v1/chat/completions that `rlm serve` understands: the
 * standard fields it uses (model, messages, stream, stream_options,
 * temperature) and one extension object, `rlm`, for the request's RLM
 * options. Unknown standard fields are ignored, as OpenAI-compatible servers
 * do; unknown members of `rlm` are a 400 so typos do not pass silently.
 */
import type { RequestOverrides } from '@rlm/sdk';
import { ReplLanguage } from '@rlm/shared';
import { invalidRequest } from './api-error.ts';
import { parseConversationId } from './conversation-registry.ts';
import type { ChatInputMessage } from './message-context.ts';

export const MODEL_PREFIX = 'rlm:';

export interface ChatRequest {
  /** As the caller wrote it, echoed in the response. */
  readonly model: string;
  readonly messages: readonly ChatInputMessage[];
  readonly stream: boolean;
  readonly includeUsage: boolean;
  readonly overrides: RequestOverrides;
  /** `rlm.conversation`: the caller's name for a conversation kept across requests (conversation-registry.ts). */
  readonly conversation: string | undefined;
  /** The body as sent, for forwarding to the upstream (proxied and direct requests). */
  readonly body: Readonly<Record<string, unknown>>;
}

/** `rlm` member -> RLM setting, with the kind of value it takes. */
const RLM_OPTIONS: Record<string, readonly [keyof RequestOverrides, 'number' | 'string']> = {
  max_depth: ['maxDepth', 'number'],
  max_iterations: ['maxIterations', 'number'],
  max_tokens: ['maxTokens', 'number'],
  max_cost_usd: ['maxCostUsd', 'number'],
  timeout_sec: ['timeoutSec', 'number'],
  sub_model: ['subModel', 'string'],
  repl: ['repl', 'string'],
};

export function parseChatRequest(raw: Buffer): ChatRequest {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw invalidRequest('the request body is not valid JSON', 'invalid_json');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw invalidRequest('the request body must be a JSON object', 'invalid_json');
  const record = body as Record<string, unknown>;
  const model = record['model'];
  if (typeof model !== 'string' || model === '')
    throw invalidRequest('you must provide a model parameter', 'invalid_request', 'model');
  const messages = parseMessages(record['messages']);
  const streamOptions = record['stream_options'];
  const { conversation, ...rlmOptions } = parseRlmOptions(record['rlm']);
  const overrides: Record<string, unknown> = { ...rlmOptions };
  const temperature = record['temperature'];
  if (temperature !== undefined && temperature !== null) {
    if (typeof temperature !== 'number' || !(temperature >= 0 && temperature <= 2))
      throw invalidRequest('temperature must be a number from 0 to 2', 'invalid_request', 'temperature');
    overrides['temperature'] = temperature;
  }
  return {
    model,
    messages,
    stream: record['stream'] === true,
    includeUsage:
      typeof streamOptions === 'object' &&
      streamOptions !== null &&
      (streamOptions as Record<string, unknown>)['include_usage'] === true,
    overrides: overrides as RequestOverrides,
    conversation,
    body: record,
  };
}

/** The root model named by `rlm:<model>`, or undefined for any other name. */
export function rootModelOf(model: string): string | undefined {
  if (!model.startsWith(MODEL_PREFIX)) return undefined;
  const root = model.slice(MODEL_PREFIX.length);
  return root === '' ? undefined : root;
}

function parseMessages(value: unknown): ChatInputMessage[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw invalidRequest('messages is required: a non-empty array', 'invalid_request', 'messages');
  }
  return value.map((message: unknown, index) => {
    const where = `messages[${index}]`;
    if (typeof message !== 'object' || message === null)
      throw invalidRequest(`${where} must be an object`, 'invalid_request', where);
    const { role, content } = message as Record<string, unknown>;
    if (typeof role !== 'string')
      throw invalidRequest(`${where}.role must be a string`, 'invalid_request', `${where}.role`);
    return { role, parts: contentParts(content, where) };
  });
}

function contentParts(content: unknown, where: string): string[] {
  if (content === null || content === undefined) return [];
  if (typeof content === 'string') return [content];
  if (Array.isArray(content)) {
    return content.map((part: unknown, index) => {
      const text =
        typeof part === 'object' && part !== null
          ? (part as Record<string, unknown>)['text']
          : undefined;
      if (typeof text !== 'string') {
        throw invalidRequest(
          `${where}.content[${index}]: only text parts are supported`,
          'invalid_request',
          `${where}.content`,
        );
      }
      return text;
    });
  }
  throw invalidRequest(
    `${where}.content must be a string or an array of text parts`,
    'invalid_request',
    `${where}.content`,
  );
}

function parseRlmOptions(value: unknown): RequestOverrides & { conversation?: string } {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw invalidRequest('rlm must be an object of RLM options', 'invalid_request', 'rlm');
  const overrides: Record<string, unknown> = {};
  for (const [name, option] of Object.entries(value)) {
    if (name === 'conversation') {
      overrides['conversation'] = parseConversationId(option);
      continue;
    }
    // Own keys only: `toString` or `constructor` must be unknown options, not Object.prototype's members.
    const known = Object.hasOwn(RLM_OPTIONS, name) ? RLM_OPTIONS[name] : undefined;
    if (known === undefined) {
      throw invalidRequest(
        `rlm.${name} is not an RLM option (known: ${[...Object.keys(RLM_OPTIONS), 'conversation'].join(', ')})`,
        'invalid_request',
        `rlm.${name}`,
      );
    }
    const [setting, kind] = known;
    if (typeof option !== kind)
      throw invalidRequest(`rlm.${name} must be a ${kind}`, 'invalid_request', `rlm.${name}`);
    // Checked here, not by the engine's config, whose message would name the CLI flag.
    if (name === 'repl' && !ReplLanguage.options.includes(option as ReplLanguage)) {
      throw invalidRequest(
        `rlm.repl must be one of ${ReplLanguage.options.map((language) => `"${language}"`).join(', ')}`,
        'invalid_request',
        'rlm.repl',
      );
    }
    overrides[setting] = option;
  }
  return overrides as RequestOverrides;
}
