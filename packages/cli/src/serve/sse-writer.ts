/**
 * Server-sent events for `stream: true`, as OpenAI streams them: `data: <json>`
 * events, a final `data: [DONE]`. Comment lines (`: ...`) keep idle
 * connections alive through proxies; every SSE client, the openai SDK's
 * included, skips them.
 */
import type { ServerResponse } from 'node:http';

const KEEPALIVE_MS = 15_000;

export class SseWriter {
  private readonly response: ServerResponse;
  private keepalive: NodeJS.Timeout | undefined;

  constructor(response: ServerResponse) {
    this.response = response;
  }

  start(): void {
    this.response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    this.response.flushHeaders();
    this.keepalive = setInterval(() => this.comment('keepalive'), KEEPALIVE_MS);
    this.keepalive.unref();
  }

  data(value: unknown): void {
    if (!this.response.writableEnded) this.response.write(`data: ${JSON.stringify(value)}\n\n`);
  }

  comment(text: string): void {
    if (!this.response.writableEnded) this.response.write(`: ${text}\n\n`);
  }

  /** Ends the stream with `data: [DONE]`. */
  done(): void {
    this.stop();
    if (!this.response.writableEnded) this.response.end('data: [DONE]\n\n');
  }

  /** Ends the stream without [DONE] (after an error event). */
  end(): void {
    this.stop();
    if (!this.response.writableEnded) this.response.end();
  }

  private stop(): void {
    clearInterval(this.keepalive);
  }
}
