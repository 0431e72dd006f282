/**
 * A program in a real pseudo-terminal: tmux on a private socket (never the user's server), driven
 * with send-keys and read with capture-pane. Used to test interactive commands (`rlm chat`).
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { waitFor } from './wait-for.ts';

const run = promisify(execFile);

export interface TmuxTerminal {
  /** Keys as tmux names them: literal text, or `Enter`, `C-c`, `C-d`, `Up`. */
  send(...keys: string[]): Promise<void>;
  /** Types text literally (no key names). */
  type(text: string): Promise<void>;
  /** The screen and scrollback as text. */
  screen(): Promise<string>;
  /** Waits until the screen matches. */
  waitForScreen(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Whether the program is still running. */
  alive(): Promise<boolean>;
  close(): Promise<void>;
}

export async function startTmuxTerminal(command: readonly string[], env: Record<string, string>): Promise<TmuxTerminal> {
  const socket = `rlm-test-${randomUUID().slice(0, 8)}`;
  const session = 'main';
  const tmux = (...args: string[]): Promise<{ stdout: string }> => run('tmux', ['-L', socket, '-f', '/dev/null', ...args]);
  // `env -i` gives the program exactly `env`: nothing leaks in from the tmux server or the shell.
  const envArgs = Object.entries(env).map(([name, value]) => `${name}=${value}`);
  await tmux('new-session', '-d', '-s', session, '-x', '160', '-y', '50', 'env', '-i', ...envArgs, ...command);
  await tmux('set-option', '-t', session, 'remain-on-exit', 'on');
  const screen = async (): Promise<string> => (await tmux('capture-pane', '-p', '-J', '-S', '-1000', '-t', session)).stdout;
  return {
    send: async (...keys) => {
      await tmux('send-keys', '-t', session, ...keys);
    },
    type: async (text) => {
      await tmux('send-keys', '-t', session, '-l', text);
    },
    screen,
    waitForScreen: async (pattern, timeoutMs = 30_000) => {
      let last = '';
      try {
        await waitFor(`${pattern} on the terminal`, async () => pattern.test((last = await screen())), timeoutMs);
      } catch (error) {
        throw new Error(`${(error as Error).message}; the screen was:\n${last}`);
      }
      return last;
    },
    alive: async () => (await tmux('display-message', '-p', '-t', session, '#{pane_dead}')).stdout.trim() === '0',
    close: async () => {
      await tmux('kill-server').catch(() => undefined);
    },
  };
}
