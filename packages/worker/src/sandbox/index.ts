export { ReplSession } from './repl-session.ts';
export type { ReplSessionOptions, StepOptions } from './repl-session.ts';
export type { ReplHost } from './repl-host.ts';
