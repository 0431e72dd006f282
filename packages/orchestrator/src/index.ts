export { EmbeddedDispatcher } from './embedded-dispatcher.ts';
export type { EmbeddedDispatcherOptions } from './embedded-dispatcher.ts';
export { runSession } from './session/run-session.ts';
export { buildSystemPrompt } from './prompts/system-prompt.ts';
export type { SystemPromptOptions } from './prompts/system-prompt.ts';
export { renderRootUserMessage } from './prompts/root-message.ts';
