/** Starts bench/sim-process.ts as a child process and returns its base URL. */
import { spawn } from 'node:child_process';
import path from 'node:path';

export interface SimProcess {
  readonly baseUrl: string;
  stop(): Promise<void>;
}

export function spawnSim(subcalls: number, latencyMs: number, steps = 1, repl: 'js' | 'python' = 'js'): Promise<SimProcess> {
  const child = spawn(process.execPath, [path.join(import.meta.dirname, 'sim-process.ts'), String(subcalls), String(latencyMs), String(steps), repl], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`simulator process exited early (${code})`)));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const ready = /READY (\S+)/.exec(buffered);
      if (ready?.[1] === undefined) return;
      child.removeAllListeners('exit');
      resolve({
        baseUrl: ready[1],
        stop: () =>
          new Promise((done) => {
            child.once('exit', () => done());
            child.stdin.end();
          }),
      });
    });
  });
}
