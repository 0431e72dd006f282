/** The incoming chat completion body: only the fields the simulator uses are checked; the rest pass through. */
import { z } from 'zod';
import type { SimMessage } from '../policies/policy.ts';

const ContentPart = z.looseObject({ type: z.string(), text: z.string().optional() });

const IncomingMessage = z.looseObject({
  role: z.string(),
  content: z.union([z.string(), z.array(ContentPart), z.null()]).optional(),
});

export const ChatCompletionBody = z.looseObject({
  model: z.string().min(1),
  messages: z.array(IncomingMessage).min(1),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  temperature: z.number().nullish(),
});
export type ChatCompletionBody = z.infer<typeof ChatCompletionBody>;

/** Messages with content flattened to text: text parts are joined, other parts dropped. */
export function flattenMessages(body: ChatCompletionBody): SimMessage[] {
  return body.messages.map((message) => {
    const content = message.content;
    if (content === undefined || content === null) return { role: message.role, content: null };
    if (typeof content === 'string') return { role: message.role, content };
    return { role: message.role, content: content.map((part) => part.text ?? '').join('') };
  });
}
