/**
 * What the engine needs from the Node process that runs it, checked where a
 * process starts (the `rlm` launcher, the SDK's entry, `new RLM()`), so an
 * unsupported setup fails with a sentence instead of a link error or a crash
 * inside isolated-vm. No imports: this module must load on any Node.
 */

/**
 * The Node versions the engine runs on, as the packed manifests' `engines`
 * range. 24 and newer: isolated-vm 7 (prebuilt for 24 and 26). 22 from 22.18:
 * isolated-vm 6.x (same JavaScript API, prebuilt for 22), which npm picks on
 * Node 22 from the worker's `^6.1.2 || ^7.0.1`; 22.18 is the first 22 with
 * everything the engine calls (`import.meta.main`, `process.execve`, the
 * type stripper of the REPL's `ts` blocks).
 */
export const SUPPORTED_NODE_RANGE = '^22.18.0 || >=24';

/** One line naming the Node needed, or undefined when `version` (`process.versions.node`) is supported. */
export function unsupportedNodeMessage(version: string, what: string): string | undefined {
  const [major = 0, minor = 0] = version.split('.').map((part) => Number.parseInt(part, 10) || 0);
  if (major >= 24 || (major === 22 && minor >= 18)) return undefined;
  return `${what} needs Node.js 22 (22.18 or later) or 24+; this is Node.js ${version}`;
}

/** The flag isolated-vm needs on Node >= 20 (isolates must not share Node's startup snapshot). */
export const NO_SNAPSHOT_FLAG = '--no-node-snapshot';

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
