/**
 * Removes configured secrets from text that came from outside (a provider's
 * error message may echo the API key it was sent) before that text reaches a
 * REPL, a trajectory, an HTTP response, a log or a terminal.
 */
const MIN_SECRET_CHARS = 6;
export const SCRUBBED = '[redacted]';

/** The configured values worth looking for: very short ones would redact ordinary words; real keys are long. */
export function scrubbableSecrets(secrets: readonly (string | undefined)[]): string[] {
  return secrets.filter(
    (secret): secret is string => secret !== undefined && secret.length >= MIN_SECRET_CHARS,
  );
}

export function scrubSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let scrubbed = text;
  for (const secret of scrubbableSecrets(secrets)) scrubbed = scrubbed.replaceAll(secret, SCRUBBED);
  return scrubbed;
}
