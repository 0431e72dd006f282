/**
 * The operations endpoints of a cluster process: /livez (the process runs),
 * /readyz (Redis answers and the process is not draining), /metrics and
 * /backlog (JSON: jobs not started yet, per queue; for autoscalers).
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';

export interface OpsHandlers {
  /** True when the process can take work: Redis reachable, not draining. */
  ready(): Promise<boolean>;
  metrics(): Promise<string>;
  /** `{"backlog": N, "queues": {...}}` (see @rlm/redis readBacklog). */
  backlog(): Promise<unknown>;
}

export async function startOpsServer(
  address: { readonly host: string; readonly port: number },
  handlers: OpsHandlers,
): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const reply = (status: number, body: string, type = 'text/plain; charset=utf-8'): void => {
      response.writeHead(status, { 'content-type': type });
      response.end(body);
    };
    if (path === '/livez') return reply(200, 'ok\n');
    if (path === '/readyz') {
      handlers.ready().then(
        (ready) => reply(ready ? 200 : 503, ready ? 'ready\n' : 'not ready\n'),
        () => reply(503, 'not ready\n'),
      );
      return;
    }
    if (path === '/metrics') {
      handlers.metrics().then(
        (text) => reply(200, text, 'text/plain; version=0.0.4; charset=utf-8'),
        (error: unknown) => reply(500, `metrics failed: ${String(error)}\n`),
      );
      return;
    }
    if (path === '/backlog') {
      handlers.backlog().then(
        (backlog) => reply(200, `${JSON.stringify(backlog)}\n`, 'application/json'),
        (error: unknown) => reply(503, `${JSON.stringify({ error: `backlog unavailable: ${String(error)}` })}\n`, 'application/json'),
      );
      return;
    }
    reply(404, 'not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => resolve());
  });
  const bound = server.address();
  return {
    port: typeof bound === 'object' && bound !== null ? bound.port : address.port,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
