/**
 * Caps the REPL output shown to the model (DESIGN section 2: default 20,000
 * characters). The head and the tail are both kept because both matter: the
 * head shows what the code started printing, the tail holds the last lines
 * and any error at the end. The marker says how much was cut so the model
 * knows to print less rather than assume it saw everything.
 */

// Slightly more head than tail: the start of a listing usually explains the rest.
const HEAD_SHARE = 0.6;

/**
 * Returns `text` unchanged when it fits in `limitChars`; otherwise at most
 * `limitChars` characters of it plus one marker line. Never splits a UTF-16
 * surrogate pair, so well-formed input gives well-formed output.
 * Throws a RangeError when `limitChars` is negative or NaN.
 */
export function truncateOutput(text: string, limitChars: number): string {
  if (!(limitChars >= 0)) throw new RangeError(`limitChars must be >= 0, got ${limitChars}`);
  if (text.length <= limitChars) return text;

  const budget = Math.floor(limitChars);
  let headEnd = Math.floor(budget * HEAD_SHARE);
  let tailStart = text.length - (budget - headEnd);
  // Give back a character rather than cut a pair in two: the budget is a ceiling.
  if (isLowSurrogateAfterHigh(text, headEnd)) headEnd -= 1;
  if (isLowSurrogateAfterHigh(text, tailStart)) tailStart += 1;

  const omitted = tailStart - headEnd;
  return text.slice(0, headEnd) + truncationMarker(omitted, text.length) + text.slice(tailStart);
}

function truncationMarker(omitted: number, total: number): string {
  return `\n... [truncated ${formatCount(omitted)} of ${formatCount(total)} characters] ...\n`;
}

function formatCount(count: number): string {
  // A fixed locale: the output must not depend on the machine it runs on.
  return count.toLocaleString('en-US');
}

/** True when index falls between the two halves of a surrogate pair. */
function isLowSurrogateAfterHigh(text: string, index: number): boolean {
  if (index <= 0 || index >= text.length) return false;
  return isHighSurrogate(text.charCodeAt(index - 1)) && isLowSurrogate(text.charCodeAt(index));
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}
