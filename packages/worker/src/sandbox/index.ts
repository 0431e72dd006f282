export { defaultMemoryLimitMb } from './memory-limit.ts';
export { ReplSession } from './repl-session.ts';
export type { ReplSessionOptions, StepOptions } from './repl-session.ts';
export type { ReplHost } from './repl-host.ts';
export { parseSnapshot, ReplSnapshot, serializeSnapshot } from './repl-snapshot.ts';
export type { SkippedGlobal, SnapshotEntry } from './repl-snapshot.ts';
