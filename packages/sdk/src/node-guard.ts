/**
 * The first module of the SDK to run (the first import of index.ts): on an
 * unsupported Node, importing `@rlm/sdk` fails with one sentence naming the
 * Node it needs, before any module that would fail less clearly is evaluated.
 * The only import-time effect in the SDK, on purpose.
 */
import { unsupportedNodeMessage } from '@rlm/shared';

const problem = unsupportedNodeMessage(process.versions.node, '@rlm/sdk');
if (problem !== undefined) throw new Error(problem);
