/**
 * `rlm trace FILE [--depth N] [--no-color]`: prints the call tree of a
 * trajectory written by `rlm run --trace-out FILE`.
 */
import { readFile } from 'node:fs/promises';
import { parseFlags } from '../strict-flags.ts';
import type { CommandIo } from '../command-io.ts';
import { numberFlag } from '../number-flag.ts';
import { parseTrajectory, TrajectoryFormatError } from '../trace/read-trajectory.ts';
import type { Trajectory } from '../trace/read-trajectory.ts';
import { renderTrace } from '../trace/render-trace.ts';
import { usageError } from '../usage-error.ts';

export const TRACE_USAGE = `rlm trace FILE [--depth N] [--code] [--no-color]
  print the call tree of a trajectory (rlm run --trace-out FILE); --depth N collapses sessions deeper
  than N; --code adds each turn's reply, each step's code and output, and each sub-call's answer`;

export async function traceCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseFlags({
    args: [...argv],
    options: {
      depth: { type: 'string' },
      'no-color': { type: 'boolean', default: false },
      code: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: true,
  });
  const [file, ...extra] = positionals;
  if (file === undefined || extra.length > 0)
    throw usageError('trace: expected exactly one trajectory FILE');
  const maxDepth =
    values.depth === undefined
      ? undefined
      : numberFlag('depth', values.depth, { min: 0, integer: true });
  const trajectory = await readTrajectory(file);
  // Colour only when asked for implicitly by a terminal: NO_COLOR (no-color.org) and --no-color turn it off.
  const color =
    !values['no-color'] && io.env['NO_COLOR'] === undefined && io.stdoutIsTerminal === true;
  io.stdout(
    renderTrace(trajectory, {
      color,
      code: values.code,
      ...(maxDepth === undefined ? {} : { maxDepth }),
    }).join('\n'),
  );
  return 0;
}

async function readTrajectory(file: string): Promise<Trajectory> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code ??
      (error instanceof Error ? error.message : String(error));
    throw usageError(`trace: cannot read ${file} (${reason})`);
  }
  try {
    return parseTrajectory(text);
  } catch (error) {
    if (error instanceof TrajectoryFormatError)
      throw usageError(`trace: ${file} is not a trajectory: ${error.message}`);
    throw error;
  }
}
