/**
 * Length-prefixed JSON frames between the parent and the Python child (python-child.ts): a 4-byte
 * big-endian length, then that many bytes of UTF-8 JSON.
 *
 * Frames from the child are untrusted (user code can write its own to /dev/rlm), so the reader
 * only splits and parses; callers check each frame's fields. A frame over `maxFrameBytes` ends the
 * stream, because a child that sends one is broken or hostile.
 */
export type ChildFrame = Readonly<Record<string, unknown>> & { readonly type: string };

export function encodeFrame(frame: Readonly<Record<string, unknown>>): Buffer {
  const body = Buffer.from(JSON.stringify(frame), 'utf8');
  const header = Buffer.allocUnsafe(4);
  header.writeUInt32BE(body.length, 0);
  return Buffer.concat([header, body]);
}

export class FrameReader {
  readonly #maxFrameBytes: number;
  #chunks: Buffer[] = [];
  #buffered = 0;

  constructor(maxFrameBytes: number) {
    this.#maxFrameBytes = maxFrameBytes;
  }

  /** Adds bytes and returns the complete frames they finish. Throws on a malformed or oversized frame. */
  push(chunk: Buffer): ChildFrame[] {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    const frames: ChildFrame[] = [];
    for (;;) {
      if (this.#buffered < 4) return frames;
      const head = this.#peek(4);
      const length = head.readUInt32BE(0);
      if (length > this.#maxFrameBytes)
        throw new Error(`the Python sandbox sent a frame of ${length} bytes`);
      if (this.#buffered < 4 + length) return frames;
      const body = this.#take(4 + length).subarray(4);
      const parsed: unknown = JSON.parse(body.toString('utf8'));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        throw new Error('the Python sandbox sent a frame that is not an object');
      const type = (parsed as Record<string, unknown>)['type'];
      frames.push({ ...(parsed as Record<string, unknown>), type: typeof type === 'string' ? type : '' });
    }
  }

  #peek(length: number): Buffer {
    if (this.#chunks[0] !== undefined && this.#chunks[0].length >= length) return this.#chunks[0];
    const joined = Buffer.concat(this.#chunks);
    this.#chunks = [joined];
    return joined;
  }

  #take(length: number): Buffer {
    const joined = this.#chunks.length === 1 ? (this.#chunks[0] as Buffer) : Buffer.concat(this.#chunks);
    const taken = joined.subarray(0, length);
    const rest = joined.subarray(length);
    this.#chunks = rest.length === 0 ? [] : [rest];
    this.#buffered = rest.length;
    return taken;
  }
}
