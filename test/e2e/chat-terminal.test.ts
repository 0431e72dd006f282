/**
 * `rlm chat` in a real pseudo-terminal (tmux): a follow-up that uses the first question's REPL
 * variables, Ctrl-C cancelling a slow question, a question after that, and the ways out.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimServer } from '@rlm/sim';
import type { SimServer } from '@rlm/sim';
import { colourRows, conversationScript } from '../support/conversation-script.ts';
import { runCli } from '../support/run-cli.ts';
import { startTmuxTerminal } from '../support/tmux-terminal.ts';
import type { TmuxTerminal } from '../support/tmux-terminal.ts';
import { waitFor } from '../support/wait-for.ts';

const MAIN = path.resolve(import.meta.dirname, '../../packages/cli/src/main.ts');

let sim: SimServer;
let directory: string;
let terminal: TmuxTerminal | undefined;

beforeAll(async () => {
  sim = await startSimServer({ policy: { type: 'scripted', replies: conversationScript } });
  directory = await mkdtemp(path.join(os.tmpdir(), 'rlm-chat-'));
});
afterAll(async () => {
  await terminal?.close();
  await sim.close();
  await rm(directory, { recursive: true, force: true });
});

function count(text: string, pattern: RegExp): number {
  return [...text.matchAll(new RegExp(pattern.source, 'g'))].length;
}

describe('rlm chat in a terminal', () => {
  it('answers a follow-up from the REPL, cancels a slow question with Ctrl-C, then goes on', async () => {
    const contextFile = path.join(directory, 'rows.txt');
    await writeFile(contextFile, colourRows());
    terminal = await startTmuxTerminal(
      [process.execPath, '--no-node-snapshot', MAIN, 'chat', '--context', contextFile, '--base-url', sim.baseUrl, '--model', 'sim-large', '--sub-model', 'sim-small'],
      { PATH: process.env['PATH'] ?? '', TERM: 'xterm' },
    );
    await terminal.waitForScreen(/Ctrl-D quits\.\s*\nrlm> $/m);

    await terminal.type('Count the colours of the rows.');
    await terminal.send('Enter');
    let screen = await terminal.waitForScreen(/\[final\] 1 turns, 4 sub-calls[^\n]*\n+rlm> /);
    expect(screen).toContain('{"red":20,"green":10,"blue":10}');

    // The follow-up reads `counts` from the REPL: one turn, no sub-calls.
    await terminal.type('Which colour is most common?');
    await terminal.send('Enter');
    screen = await terminal.waitForScreen(/\[final\] 1 turns, 0 sub-calls[^\n]*\n+rlm> /);
    expect(screen).toMatch(/^red$/m);

    // A slow question, cancelled with Ctrl-C once its sub-call is waiting on the model.
    const before = sim.stats().requestsByKind.subcall;
    await terminal.type('a slow question');
    await terminal.send('Enter');
    await waitFor('the slow sub-call', () => sim.stats().requestsByKind.subcall > before);
    await terminal.send('C-c');
    screen = await terminal.waitForScreen(/\[cancelled\][^\n]*\n+rlm> /, 15_000);
    expect(screen).toContain('(cancelling the question...)');

    // The chat goes on: a question after the cancelled one is answered (with the earlier history).
    await terminal.type('How many red rows are there?');
    await terminal.send('Enter');
    screen = await terminal.waitForScreen(/20 red rows; 2 earlier/);
    await terminal.waitForScreen(/20 red rows[^]*\[final\][^\n]*\n+rlm> /);

    // Up recalls the last line (readline history); Ctrl-C drops it; Ctrl-C at an empty prompt explains, Ctrl-D quits.
    await terminal.send('Up');
    await terminal.waitForScreen(/rlm> How many red rows are there\?$/m);
    await terminal.send('C-c');
    await terminal.waitForScreen(/\^C\n+rlm> $/m);
    await terminal.send('C-c');
    screen = await terminal.waitForScreen(/press Ctrl-C again or Ctrl-D to quit\)\n+rlm> $/m);
    expect(count(screen, /\[final\]/)).toBe(3);
    await terminal.send('C-d');
    await waitFor('rlm chat to exit', async () => !(await terminal?.alive()), 15_000);
  }, 120_000);

  it('answers every line of piped input in order, though the input ends while the first question runs', async () => {
    const contextFile = path.join(directory, 'rows-piped.txt');
    await writeFile(contextFile, colourRows());
    const result = await runCli(
      ['chat', '--context', contextFile, '--base-url', sim.baseUrl, '--model', 'sim-large', '--sub-model', 'sim-small'],
      {},
      'Count the colours of the rows.\nWhich colour is most common?\n',
    );
    expect(result.stderr).not.toContain('readline was closed');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('{"red":20,"green":10,"blue":10}');
    // The second line is a follow-up: it reads the first question's `counts` from the REPL.
    expect(result.stdout).toMatch(/^red$/m);
    expect(count(result.stderr, /\[final\]/)).toBe(2);
  }, 60_000);
});
