/**
 * A byte stream with configured secrets replaced, for relaying an upstream's
 * answer as it arrives. A provider may echo the key it was sent anywhere in a
 * body, including an error event in the middle of a 200 SSE stream, and a key
 * may be split across two chunks.
 *
 * Only a chunk's tail that could be the start of a secret is held back until
 * the next chunk (or the end) decides it, so ordinary streamed tokens pass
 * through with no delay: an SSE event ends in "\n\n", which no key starts with.
 */
import { Transform } from 'node:stream';
import { SCRUBBED, scrubbableSecrets } from '@rlm/shared';

export function secretScrubbingStream(secrets: readonly (string | undefined)[]): Transform {
  const needles = scrubbableSecrets(secrets).map((secret) => Buffer.from(secret, 'utf8'));
  const replacement = Buffer.from(SCRUBBED, 'utf8');
  let held: Buffer = Buffer.alloc(0);
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const text = replaceAll(Buffer.concat([held, chunk]), needles, replacement);
      const keep = heldTailLength(text, needles);
      held = Buffer.from(text.subarray(text.length - keep));
      done(null, text.subarray(0, text.length - keep));
    },
    flush(done) {
      done(null, held);
    },
  });
}

function replaceAll(bytes: Buffer, needles: readonly Buffer[], replacement: Buffer): Buffer {
  let out = bytes;
  for (const needle of needles) {
    let at = out.indexOf(needle);
    if (at < 0) continue;
    const parts: Buffer[] = [];
    let from = 0;
    while (at >= 0) {
      parts.push(out.subarray(from, at), replacement);
      from = at + needle.length;
      at = out.indexOf(needle, from);
    }
    parts.push(out.subarray(from));
    out = Buffer.concat(parts);
  }
  return out;
}

/** The length of the longest tail of `bytes` that is a proper prefix of some secret. */
function heldTailLength(bytes: Buffer, needles: readonly Buffer[]): number {
  let longest = 0;
  for (const needle of needles) {
    for (let length = Math.min(needle.length - 1, bytes.length); length > longest; length--) {
      if (bytes.subarray(bytes.length - length).equals(needle.subarray(0, length))) {
        longest = length;
        break;
      }
    }
  }
  return longest;
}
