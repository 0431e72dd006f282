/**
 * `./dev rlm ...` runs node itself: no command line (which may carry an API
 * key) is echoed by a package manager, and SIGTERM reaches the node process
 * (the simulator prints its goodbye line only from its own signal handler).
 * `rlm sim` answers whatever model name it is asked for.
 */
import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DEV = path.join(ROOT, 'dev');
const env = {
  PATH: `${path.dirname(process.execPath)}:${process.env['PATH'] ?? ''}`,
  HOME: process.env['HOME'] ?? '/tmp',
};

/** `<launcher> rlm trace --help --api-key KEY`: what the launcher printed around the CLI's own output. */
function traceHelpWithKey(
  launcher: string,
  key: string,
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      launcher,
      ['rlm', 'trace', '--help', '--api-key', key],
      { cwd: ROOT, env },
      (_error, stdout, stderr) => resolve({ stdout, stderr }),
    );
  });
}

describe('./dev rlm', () => {
  it('never echoes the command line, so a key on it stays off the terminal', async () => {
    const key = 'sk-dev-wrapper-SECRET-4242';
    const { stdout, stderr } = await traceHelpWithKey(DEV, key);
    expect(stdout).toMatch(/^usage: rlm trace/);
    expect(stdout + stderr).not.toContain(key);
  }, 60_000);

  it('pnpm rlm does not echo the command line either (loglevel in pnpm-workspace.yaml)', async () => {
    const key = 'sk-pnpm-script-SECRET-4343';
    const { stdout, stderr } = await traceHelpWithKey('pnpm', key);
    expect(stdout).toMatch(/^usage: rlm trace/);
    expect(stdout + stderr).not.toContain(key);
  }, 60_000);

  it('runs rlm sim, which answers any model name, and delivers SIGTERM to the node process itself', async () => {
    const child = spawn(DEV, ['rlm', 'sim', '--port', '0'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code)),
    );
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8');
        if (stderr.includes('listening')) resolve();
      });
      void exited.then(() => reject(new Error(`./dev rlm sim exited early:\n${stderr}`)));
    });
    const baseUrl = /base URL (\S+)/.exec(stderr)?.[1] ?? '';
    const answer = await fetch(`${baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'my-local-model',
        messages: [{ role: 'user', content: 'Say hello.' }],
      }),
    });
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { model: string }).model).toBe('my-local-model');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/served 1 requests; bye/);
  }, 60_000);
});
