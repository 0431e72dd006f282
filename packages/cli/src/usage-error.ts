/** Bad input from the command line: printed as one line, exit code 2. */
import { RlmError } from '@rlm/shared';

export function usageError(message: string): RlmError {
  return new RlmError('config_invalid', message);
}
