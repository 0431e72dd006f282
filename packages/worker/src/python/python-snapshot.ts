/**
 * The Python REPL's snapshot text (cluster mode), written and read by the runtime inside the
 * sandbox (child/rlm_runtime.py, `_rlm_snapshot` / `_rlm_restore`):
 *
 * ```
 * { version: 1, language: 'python',
 *   imports: [source],        // top-level import statements, in order
 *   definitions: [source],    // top-level functions and classes still bound to their names
 *   values: base64,           // one pickle of {name: value} for every picklable user variable
 *   skipped: [{name, reason}] }
 * ```
 *
 * The host only checks the shape: the pickle is opened inside the sandbox that will hold the state.
 */
import { z } from 'zod';
import { RlmError } from '@rlm/shared';

const PythonSnapshot = z.object({
  version: z.literal(1),
  language: z.literal('python'),
  imports: z.array(z.string()),
  definitions: z.array(z.string()),
  values: z.string(),
  skipped: z.array(z.object({ name: z.string(), reason: z.string() })),
});

/** The state of a fresh Python REPL. */
export const EMPTY_PYTHON_SNAPSHOT = JSON.stringify({
  version: 1,
  language: 'python',
  imports: [],
  definitions: [],
  values: '',
  skipped: [],
});

/** Throws an RlmError (`sandbox`) when the text is not a Python snapshot. */
export function checkPythonSnapshot(text: string): string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new RlmError('sandbox', 'invalid Python REPL snapshot: not JSON');
  }
  if (!PythonSnapshot.safeParse(json).success)
    throw new RlmError('sandbox', 'invalid Python REPL snapshot: unexpected shape');
  return text;
}
