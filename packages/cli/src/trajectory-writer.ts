/**
 * `--trace-out FILE`: a JSONL trajectory of the run (format: shared/src/trajectory.ts).
 * Line 1 is metadata, then one line per engine event, then the result.
 * Written as the run goes, so a crashed run still leaves what happened up to the crash.
 */
import { createWriteStream } from 'node:fs';
import type { RlmEvent, TrajectoryMetadata } from '@rlm/shared';
import { usageError } from './usage-error.ts';

export interface TrajectoryWriter {
  event(event: RlmEvent): void;
  close(result: unknown): Promise<void>;
}

export async function openTrajectory(
  path: string,
  metadata: TrajectoryMetadata,
): Promise<TrajectoryWriter> {
  const stream = createWriteStream(path, { flags: 'w' });
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (error: NodeJS.ErrnoException) => reject(cannotWrite(path, error)));
  });
  const started = Date.parse(metadata.startedAt);
  const write = (record: object): void => {
    stream.write(`${JSON.stringify(record)}\n`);
  };
  write(metadata);
  return {
    event: (event) => write({ ...event, t: Date.now() - started }),
    close: (result) =>
      new Promise((resolve, reject) => {
        write({ type: 'result', result, t: Date.now() - started });
        stream.end((error?: Error | null) => (error ? reject(error) : resolve()));
      }),
  };
}

/** A bad --trace-out path is bad input (exit 2), said in one line naming the flag. */
function cannotWrite(path: string, error: NodeJS.ErrnoException): Error {
  const reasons: Record<string, string> = {
    EISDIR: 'it is a directory; give a file path such as run.jsonl',
    ENOENT: 'its directory does not exist',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    ENOTDIR: 'a parent of it is not a directory',
  };
  return usageError(`--trace-out: cannot write ${path} (${reasons[error.code ?? ''] ?? error.code ?? error.message})`);
}
