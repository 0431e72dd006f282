/**
 * Issue 12, probe 5: slow clients against `rlm serve` (the original probe: 16 connections sending
 * a byte every 5 s held every request slot for ~320 s; everyone else got 429). Bodies are read
 * before a slot is taken and within --body-timeout, so a fast caller is served while slow ones
 * trickle, and each slow one gets a 408 and a closed connection; past 64 bodies read at once a
 * client gets 503 at once; a client trickling its headers is closed at the 10 s headers deadline.
 * Limit asserted: the server process stays under 400 MB resident.
 */
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimServer } from '@rlm/sim';
import type { SimServer } from '@rlm/sim';
import { startServeProcess } from '../support/serve-process.ts';
import type { ServeProcess } from '../support/serve-process.ts';

let sim: SimServer;
let serve: ServeProcess;

beforeAll(async () => {
  sim = await startSimServer({ policy: { type: 'scripted', replies: () => 'FINAL(served)' } });
  serve = await startServeProcess(['--base-url', sim.baseUrl, '--max-requests', '2', '--body-timeout', '1.5']);
});
afterAll(async () => {
  await serve?.stop();
  await sim?.close();
});

/** Sends headers and one byte of a 1,000-byte body, then nothing; resolves with what the server answered once it closed the connection. */
function slowClient(url: string): { readonly written: Promise<void>; readonly answer: Promise<string> } {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  let received = '';
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('utf8');
  });
  const answer = new Promise<string>((resolve) => socket.once('close', () => resolve(received)));
  const written = new Promise<void>((resolve) => {
    socket.write(
      `POST /v1/chat/completions HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`,
      () => resolve(),
    );
  });
  return { written, answer };
}

function residentMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN) / 1024;
}

describe('rlm serve under slow clients', () => {
  it('serves a fast caller while 8 slow ones trickle (2 slots), then answers each slow one 408 and closes it', async () => {
    const slow = Array.from({ length: 8 }, () => slowClient(serve.url));
    await Promise.all(slow.map((client) => client.written));
    const client = new OpenAI({ baseURL: `${serve.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    const completion = await client.chat.completions.create({
      model: 'rlm:sim-large',
      messages: [
        { role: 'user', content: 'a document' },
        { role: 'user', content: 'a question' },
      ],
    });
    expect(completion.choices[0]?.message.content).toBe('served');
    const answers = await Promise.all(slow.map((client) => client.answer));
    for (const answer of answers) {
      expect(answer).toMatch(/^HTTP\/1\.1 408/);
      expect(answer).toContain('request_timeout');
    }
    const pid = serve.child.pid;
    expect(pid).toBeDefined();
    expect(residentMb(pid ?? 0)).toBeLessThan(400);
  });

  it('closes a client trickling its headers at the 10 s headers deadline, not at the 30 s connection check', async () => {
    const { hostname, port } = new URL(serve.url);
    const started = performance.now();
    const socket = connect(Number(port), hostname);
    let received = '';
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('utf8');
    });
    socket.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: ${hostname}\r\n`);
    // A header byte every second: the connection is never idle, only slow.
    const trickle = setInterval(() => socket.write('X'), 1_000);
    await new Promise((resolve) => socket.once('close', resolve));
    clearInterval(trickle);
    const seconds = (performance.now() - started) / 1000;
    expect(received).toMatch(/^HTTP\/1\.1 408/);
    expect(seconds).toBeGreaterThanOrEqual(9.5);
    expect(seconds).toBeLessThan(13);
    expect(residentMb(serve.child.pid ?? 0)).toBeLessThan(400);
  }, 60_000);

  it('reads at most 64 bodies at once (4 per slot, at least 64): the 65th slow client gets 503 at once', async () => {
    const slow = Array.from({ length: 70 }, () => slowClient(serve.url));
    await Promise.all(slow.map((client) => client.written));
    const answers = await Promise.all(slow.map((client) => client.answer));
    const busy = answers.filter((answer) => /^HTTP\/1\.1 503/.test(answer));
    expect(busy).toHaveLength(6);
    expect(busy[0]).toContain('server_busy');
    expect(answers.filter((answer) => /^HTTP\/1\.1 408/.test(answer))).toHaveLength(64);
    expect(residentMb(serve.child.pid ?? 0)).toBeLessThan(400);
  });
});
