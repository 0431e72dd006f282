/**
 * Reading a request before it may take one of the server's request slots. A slot is held for a
 * whole RLM run, so it must only go to a request whose body has fully arrived: otherwise a few
 * clients sending a byte every few seconds hold every slot and everyone else gets 429 (issue 12:
 * 16 such connections held all slots for some 320 s). So the body is read first, under a size cap
 * (413) and a deadline for the whole body (408, connection closed); the headers are bounded by
 * node's own `headersTimeout`, and `requestTimeout` backs both up at the socket level. The number
 * of bodies being read at once is capped too (503 past it), since each may buffer up to the size
 * cap: slow clients bound the server's memory, not just its slots.
 */
import type { IncomingMessage, Server } from 'node:http';
import { ApiError } from './api-error.ts';

export interface BodyLimits {
  readonly maxBytes: number;
  /** Time from the end of the headers to the last byte of the body. */
  readonly bodyTimeoutMs: number;
  /** Time from the connection's first byte to the end of the headers. */
  readonly headersTimeoutMs: number;
}

/** Default: a client has 10 s for its headers and 30 s for its body. */
export const DEFAULT_BODY_LIMITS: Omit<BodyLimits, 'maxBytes'> = {
  headersTimeoutMs: 10_000,
  bodyTimeoutMs: 30_000,
};

/**
 * How often node looks for connections past `headersTimeout` / `requestTimeout` (a server
 * option, default 30 s): at the default a client trickling its headers was closed after ~30 s,
 * not the 10 s of `headersTimeout` (measured).
 */
export const SERVER_OPTIONS = { connectionsCheckingInterval: 1_000 } as const;

/** Node's own limits on a slow client, set once on the server. */
export function applySlowClientTimeouts(server: Server, limits: BodyLimits): void {
  server.headersTimeout = limits.headersTimeoutMs;
  // The whole request (headers + body); our body deadline normally answers first, with a JSON 408.
  server.requestTimeout = limits.headersTimeoutMs + limits.bodyTimeoutMs + 1_000;
}

/** Bodies read at once: four per request slot, and never fewer than 64. */
export function defaultMaxBodyReaders(maxRequests: number): number {
  return Math.max(64, 4 * maxRequests);
}

/** Counts bodies being read; `enter` throws a 503 ApiError when `capacity` are already being read. */
export class BodyReaders {
  readonly #capacity: number;
  #reading = 0;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  enter(): () => void {
    if (this.#reading >= this.#capacity) {
      throw new ApiError(
        503,
        'server_error',
        'server_busy',
        `the server is already reading ${this.#capacity} request bodies; retry later`,
        { headers: { connection: 'close', 'retry-after': '1' } },
      );
    }
    this.#reading += 1;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.#reading -= 1;
    };
  }
}

export async function readBodyWithin(request: IncomingMessage, limits: BodyLimits): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limits.maxBytes) throw tooLarge(limits.maxBytes);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(tooSlow(limits.bodyTimeoutMs)), limits.bodyTimeoutMs);
  });
  try {
    return await Promise.race([collect(request, limits.maxBytes), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

async function collect(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw tooLarge(maxBytes);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

// Both errors close the connection, so the unread rest of the body is not waited for.
function tooLarge(maxBytes: number): ApiError {
  return new ApiError(
    413,
    'invalid_request_error',
    'request_too_large',
    `the request body is larger than ${maxBytes} bytes (--max-body-bytes)`,
    { headers: { connection: 'close' } },
  );
}

function tooSlow(timeoutMs: number): ApiError {
  return new ApiError(
    408,
    'invalid_request_error',
    'request_timeout',
    `the request body did not arrive within ${timeoutMs / 1000} s`,
    { headers: { connection: 'close' } },
  );
}
