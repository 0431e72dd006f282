/**
 * The server's admission limits: a cap on the body size (413 past it, read
 * no further) and a cap on requests in flight (429 with Retry-After when full;
 * an RLM request holds its slot until its whole tree has finished).
 */
import type { IncomingMessage } from 'node:http';
import { ApiError } from './api-error.ts';

export async function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw tooLarge(maxBytes);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function tooLarge(maxBytes: number): ApiError {
  // connection: close, so the unread rest of the body is not waited for.
  return new ApiError(
    413,
    'invalid_request_error',
    'request_too_large',
    `the request body is larger than ${maxBytes} bytes (--max-body-bytes)`,
    {
      headers: { connection: 'close' },
    },
  );
}

export class RequestSlots {
  readonly capacity: number;
  private readonly retryAfterSec: number;
  private used = 0;

  constructor(capacity: number, retryAfterSec: number) {
    this.capacity = capacity;
    this.retryAfterSec = retryAfterSec;
  }

  get active(): number {
    return this.used;
  }

  /** A release function (call it exactly once), or a 429 ApiError when every slot is taken. */
  acquire(): () => void {
    if (this.used >= this.capacity) {
      throw new ApiError(
        429,
        'rate_limit_error',
        'rate_limit_exceeded',
        `the server is running its maximum of ${this.capacity} requests; retry later`,
        {
          headers: { 'retry-after': String(this.retryAfterSec) },
        },
      );
    }
    this.used += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used -= 1;
    };
  }
}
