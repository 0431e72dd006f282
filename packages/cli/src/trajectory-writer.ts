/**
 * `--trace-out FILE`: a JSONL trajectory of the run (format: shared/src/trajectory.ts).
 * Line 1 is metadata, then one line per engine event, then the result.
 * Written as the run goes, so a crashed run still leaves what happened up to the crash.
 */
import { createWriteStream } from 'node:fs';
import type { RlmEvent, TrajectoryMetadata } from '@rlm/shared';
import { outputFileError } from './output-file-flag.ts';

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
    // A bad path is bad input (exit 2), said in one line naming the flag.
    stream.once('error', (error: NodeJS.ErrnoException) => reject(outputFileError('trace-out', path, error)));
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

