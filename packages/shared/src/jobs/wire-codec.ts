/**
 * Tasks to and from their wire form (job-catalog.ts): long chat messages and
 * inline contexts become content-addressed blobs, so a job payload stays
 * small whatever the request carries. The one place payloads are built and
 * read: the BullMQ dispatcher encodes, the job processors decode.
 */
import { describeContext } from '../context-metadata.ts';
import type { BlobStore } from '../cluster-ports.ts';
import { RlmError } from '../errors.ts';
import type { ContextValue } from '../protocol.ts';
import { INLINE_MESSAGE_LIMIT_CHARS } from './job-catalog.ts';
import type { JobKind, TaskOf, WireMessage, WireTaskOf } from './job-catalog.ts';
import type { BlobContextRef, ChatMessage, ContextRef, ConversationScope } from './task-schemas.ts';

interface Codec<Task, Wire> {
  encode(task: Task, blobs: BlobStore): Promise<Wire>;
  decode(wire: Wire, blobs: BlobStore): Promise<Task>;
}

const CODECS: { readonly [K in JobKind]: Codec<TaskOf[K], WireTaskOf[K]> } = {
  llm: {
    encode: async (task, blobs) => ({
      ...task,
      request: { ...task.request, messages: await toWireMessages(task.request.messages, blobs) },
    }),
    decode: async (wire, blobs) => ({
      ...wire,
      request: { ...wire.request, messages: await fromWireMessages(wire.request.messages, blobs) },
    }),
  },
  step: {
    // Inside the executor, a refused context rejects the promise rather than throwing.
    encode: (task) =>
      new Promise((resolve) =>
        resolve({
          ...task,
          context: blobRef(task.context),
          ...(task.conversation === undefined
            ? {}
            : { conversation: { ...task.conversation, contexts: task.conversation.contexts.map(blobRef) } }),
        }),
      ),
    decode: (wire) => Promise.resolve(wire),
  },
  session: {
    encode: async (task, blobs) => {
      const conversation = task.conversation === undefined ? {} : { conversation: await storeConversation(task.conversation, blobs) };
      if (task.context.kind === 'blob') {
        if (task.contextMetadata === undefined) throw new RlmError('internal', 'a blob context needs its metadata');
        return { ...task, ...conversation, context: task.context, contextMetadata: task.contextMetadata };
      }
      return {
        ...task,
        ...conversation,
        context: await storeContextValue(blobs, task.context.value),
        contextMetadata: task.contextMetadata ?? describeContext(task.context.value),
      };
    },
    decode: (wire) => Promise.resolve(wire),
  },
};

export function encodeTask<K extends JobKind>(kind: K, task: TaskOf[K], blobs: BlobStore): Promise<WireTaskOf[K]> {
  return CODECS[kind].encode(task, blobs);
}

export function decodeTask<K extends JobKind>(kind: K, wire: WireTaskOf[K], blobs: BlobStore): Promise<TaskOf[K]> {
  return CODECS[kind].decode(wire, blobs);
}

/** Stores a context once by content hash: strings as text, anything else as JSON. */
export async function storeContextValue(blobs: BlobStore, value: ContextValue): Promise<BlobContextRef> {
  if (typeof value === 'string') return { kind: 'blob', hash: await blobs.put(value), format: 'text' };
  return { kind: 'blob', hash: await blobs.put(JSON.stringify(value)), format: 'json' };
}

/** A conversation's added contexts as blobs, like the first one, so sessions and steps carry hashes. */
async function storeConversation(conversation: ConversationScope, blobs: BlobStore): Promise<ConversationScope> {
  const contexts = await Promise.all(
    conversation.contexts.map(async (context) => (context.kind === 'blob' ? context : storeContextValue(blobs, context.value))),
  );
  return { ...conversation, contexts };
}

function blobRef(context: ContextRef): BlobContextRef {
  if (context.kind !== 'blob') throw new RlmError('internal', 'cluster steps need a blob context');
  return context;
}

async function toWireMessages(messages: readonly ChatMessage[], blobs: BlobStore): Promise<WireMessage[]> {
  return Promise.all(
    messages.map(async (message) =>
      message.content.length <= INLINE_MESSAGE_LIMIT_CHARS
        ? { role: message.role, content: message.content }
        : { role: message.role, blob: await blobs.put(message.content) },
    ),
  );
}

async function fromWireMessages(messages: readonly WireMessage[], blobs: BlobStore): Promise<ChatMessage[]> {
  return Promise.all(
    messages.map(async (message) => {
      if ('content' in message) return { role: message.role, content: message.content };
      const content = await blobs.get(message.blob);
      if (content === undefined) throw new RlmError('internal', `message blob ${message.blob} is missing from Redis`);
      return { role: message.role, content };
    }),
  );
}
