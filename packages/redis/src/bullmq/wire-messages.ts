/** Chat messages on the wire: long contents become blobs so job payloads stay small. */
import { INLINE_MESSAGE_LIMIT_CHARS, RlmError } from '@rlm/shared';
import type { BlobStore, ChatMessage, WireMessage } from '@rlm/shared';

export async function toWireMessages(
  messages: readonly ChatMessage[],
  blobs: BlobStore,
): Promise<WireMessage[]> {
  return Promise.all(
    messages.map(async (message) =>
      message.content.length <= INLINE_MESSAGE_LIMIT_CHARS
        ? { role: message.role, content: message.content }
        : { role: message.role, blob: await blobs.put(message.content) },
    ),
  );
}

export async function fromWireMessages(
  messages: readonly WireMessage[],
  blobs: BlobStore,
): Promise<ChatMessage[]> {
  return Promise.all(
    messages.map(async (message) => {
      if ('content' in message) return { role: message.role, content: message.content };
      const content = await blobs.get(message.blob);
      if (content === undefined)
        throw new RlmError('internal', `message blob ${message.blob} is missing from Redis`);
      return { role: message.role, content };
    }),
  );
}
