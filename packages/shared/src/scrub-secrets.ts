/**
 * Removes configured secrets from text that came from outside (a provider's
 * error message may echo the API key it was sent) before that text reaches a
 * REPL, a trajectory, an HTTP response, a log or a terminal.
 */
const MIN_SECRET_CHARS = 6;
export const SCRUBBED = '[redacted]';

export function scrubSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let scrubbed = text;
  for (const secret of secrets) {
    // Very short values would redact ordinary words; real keys are long.
    if (secret === undefined || secret.length < MIN_SECRET_CHARS) continue;
    scrubbed = scrubbed.replaceAll(secret, SCRUBBED);
  }
  return scrubbed;
}
