/**
 * Parses a trajectory file's text (format: shared/src/trajectory.ts). Pure:
 * text in, records out. Anything that is not a trajectory of a version this
 * reader knows is one error naming the line, so `rlm trace` can print it as
 * one line. Unknown event types from newer writers are skipped, not fatal.
 */
import { TRAJECTORY_VERSION } from '@rlm/shared';
import type { RlmEvent, TrajectoryMetadata, TrajectoryResult } from '@rlm/shared';

export interface Trajectory {
  readonly metadata: TrajectoryMetadata;
  readonly events: readonly RlmEvent[];
  /** Absent when the run did not finish (the writer adds it last). */
  readonly result?: TrajectoryResult;
}

const EVENT_TYPES: ReadonlySet<string> = new Set<RlmEvent['type']>([
  'session-start',
  'session-end',
  'iteration-start',
  'completion-end',
  'step-start',
  'step-end',
  'iteration-end',
  'subcall-start',
  'subcall-end',
]);

/** Versions whose records this reader understands (1 lacked the content events but reads fine). */
const READABLE_VERSIONS: ReadonlySet<number> = new Set([1, TRAJECTORY_VERSION]);

export class TrajectoryFormatError extends Error {
  override readonly name = 'TrajectoryFormatError';
}

export function parseTrajectory(text: string): Trajectory {
  const lines = text.split('\n').filter((line) => line.trim().length > 0);
  if (lines.length === 0) throw new TrajectoryFormatError('the file is empty');
  const records = lines.map((line, index) => parseLine(line, index + 1));
  const [first, ...rest] = records;
  if (first?.['type'] !== 'metadata')
    throw new TrajectoryFormatError('line 1 is not a trajectory metadata record');
  const version = first['version'];
  if (typeof version !== 'number' || !READABLE_VERSIONS.has(version)) {
    throw new TrajectoryFormatError(
      `unsupported trajectory version ${JSON.stringify(version)} (this rlm reads ${[...READABLE_VERSIONS].join(', ')})`,
    );
  }
  const events: RlmEvent[] = [];
  let result: TrajectoryResult | undefined;
  rest.forEach((record, index) => {
    const type = record['type'];
    if (type === 'result' && isObject(record['result']))
      result = record['result'] as unknown as TrajectoryResult;
    else if (typeof type === 'string' && EVENT_TYPES.has(type)) {
      if (typeof record['sessionId'] !== 'string' || typeof record['depth'] !== 'number') {
        throw new TrajectoryFormatError(
          `line ${index + 2}: a ${type} event without sessionId and depth`,
        );
      }
      events.push(record as unknown as RlmEvent);
    }
  });
  return {
    metadata: first as unknown as TrajectoryMetadata,
    events,
    ...(result === undefined ? {} : { result }),
  };
}

function parseLine(line: string, number: number): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new TrajectoryFormatError(`line ${number} is not JSON`);
  }
  if (!isObject(value)) throw new TrajectoryFormatError(`line ${number} is not a JSON object`);
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
