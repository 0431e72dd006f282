/**
 * What the engine needs from the Node process that runs it, checked where a
 * process starts (the `rlm` launcher, the SDK's entry, `new RLM()`), so an
 * unsupported setup fails with a sentence instead of a link error or a crash
 * inside isolated-vm. No imports: this module must load on any Node.
 */

/**
 * Oldest supported Node major: isolated-vm 7 (the sandbox) ships and
 * supports only Node >= 24; the packed manifests' `engines` say the same.
 */
export const MIN_NODE_MAJOR = 24;

/** The flag isolated-vm needs on Node >= 20 (isolates must not share Node's startup snapshot). */
export const NO_SNAPSHOT_FLAG = '--no-node-snapshot';

/** One line naming the Node needed, or undefined when `version` (`process.versions.node`) is supported. */
export function unsupportedNodeMessage(version: string, what: string): string | undefined {
  const major = Number.parseInt(version.split('.')[0] ?? '', 10);
  if (major >= MIN_NODE_MAJOR) return undefined;
  return `${what} needs Node.js ${MIN_NODE_MAJOR} or newer; this is Node.js ${version}`;
}

/** True when the process was started with --no-node-snapshot (on the command line or in NODE_OPTIONS). */
export function nodeSnapshotDisabled(
  execArgv: readonly string[],
  nodeOptions: string | undefined,
): boolean {
  return [...execArgv, ...(nodeOptions ?? '').split(/\s+/)].includes(NO_SNAPSHOT_FLAG);
}

/** The error text when isolates would be created in a process that still uses Node's snapshot. */
export const SNAPSHOT_FLAG_MISSING =
  `the JavaScript REPL (isolated-vm) needs Node started with ${NO_SNAPSHOT_FLAG}: ` +
  `run NODE_OPTIONS=${NO_SNAPSHOT_FLAG} node app.js (or node ${NO_SNAPSHOT_FLAG} app.js)`;
