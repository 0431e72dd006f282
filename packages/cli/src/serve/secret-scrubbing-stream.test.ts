import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { SCRUBBED } from '@rlm/shared';
import { secretScrubbingStream } from './secret-scrubbing-stream.ts';

const KEY = 'sk-live-0123456789abcdef';

/** Pipes `chunks` through the scrubber; returns the whole output and what came out per chunk written. */
async function relay(chunks: readonly string[], secrets: readonly (string | undefined)[] = [KEY]) {
  const scrubber = secretScrubbingStream(secrets);
  const pieces: string[] = [];
  scrubber.on('data', (piece: Buffer) => pieces.push(piece.toString('utf8')));
  await new Promise<void>((resolve, reject) => {
    Readable.from(chunks.map((chunk) => Buffer.from(chunk, 'utf8')))
      .pipe(scrubber)
      .on('end', resolve)
      .on('error', reject);
  });
  return { text: pieces.join(''), pieces };
}

describe('secretScrubbingStream', () => {
  it('removes a key split across two chunks, at every split point', async () => {
    const body = `data: {"error":{"message":"bad key ${KEY} sent"}}\n\n`;
    for (let at = 1; at < body.length; at++) {
      const { text } = await relay([body.slice(0, at), body.slice(at)]);
      expect(text).not.toContain(KEY);
      expect(text).toBe(body.replace(KEY, SCRUBBED));
    }
  });

  it('removes every occurrence, including one arriving a byte at a time', async () => {
    const body = `${KEY} and again ${KEY}.`;
    const { text } = await relay([...body]);
    expect(text).toBe(`${SCRUBBED} and again ${SCRUBBED}.`);
  });

  it('holds nothing back from a chunk whose end cannot start a key (streamed tokens are not delayed)', async () => {
    const events = ['data: {"delta":"Hel"}\n\n', 'data: {"delta":"lo s"}\n\n', 'data: [DONE]\n\n'];
    const { pieces } = await relay(events);
    expect(pieces).toEqual(events);
  });

  it('releases a held tail that never became a key when the stream ends', async () => {
    const { text } = await relay(['the prefix sk-live-01', '23 is not a key']);
    expect(text).toBe('the prefix sk-live-0123 is not a key');
    const ending = await relay(['ends with sk-li']);
    expect(ending.text).toBe('ends with sk-li');
  });

  it('passes bytes through unchanged when no secret is long enough to scrub', async () => {
    const { text } = await relay(['short key abc in text'], [undefined, 'abc']);
    expect(text).toBe('short key abc in text');
  });

  it('keeps multi-byte characters whole across chunk boundaries', async () => {
    const bytes = Buffer.from(`héllo ${KEY} wörld`, 'utf8');
    const scrubber = secretScrubbingStream([KEY]);
    const out: Buffer[] = [];
    scrubber.on('data', (piece: Buffer) => out.push(piece));
    const ended = new Promise((resolve) => scrubber.on('end', resolve));
    for (let at = 0; at < bytes.length; at += 3) scrubber.write(bytes.subarray(at, at + 3));
    scrubber.end();
    await ended;
    expect(Buffer.concat(out).toString('utf8')).toBe(`héllo ${SCRUBBED} wörld`);
  });
});
