/** Small node:http helpers: JSON bodies in, JSON and OpenAI-shaped errors out. */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Bodies larger than this are refused; generous, because root contexts may be inlined by naive clients. */
const MAX_BODY_BYTES = 512 * 1024 * 1024;

export class HttpError extends Error {
  readonly status: number;
  readonly type: string;
  readonly code: string | null;
  readonly headers: Readonly<Record<string, string>>;
  /** True for errors the fault injector decided on, so stats count them as faults, not failures. */
  readonly injected: boolean;
  constructor(
    status: number,
    message: string,
    options: {
      type?: string;
      code?: string;
      headers?: Record<string, string>;
      injected?: boolean;
    } = {},
  ) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.type = options.type ?? (status >= 500 ? 'server_error' : 'invalid_request_error');
    this.code = options.code ?? null;
    this.headers = options.headers ?? {};
    this.injected = options.injected ?? false;
  }
}

export async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES)
      throw new HttpError(413, `request body exceeds ${MAX_BODY_BYTES} bytes`);
    chunks.push(buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new HttpError(400, 'request body is not valid JSON');
  }
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (response.headersSent || response.destroyed) return;
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

/** The error body shape OpenAI uses: `{error: {message, type, param, code}}`. */
export function sendError(response: ServerResponse, error: HttpError): void {
  sendJson(
    response,
    error.status,
    { error: { message: error.message, type: error.type, param: null, code: error.code } },
    error.headers,
  );
}
