import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CommandIo } from './command-io.ts';
import { main } from './main.ts';

const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

function captureIo(): { io: CommandIo; stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io: CommandIo = {
    env: {},
    stdout: (text) => stdout.push(text),
    stderr: (line) => stderr.push(line),
    stdin: () => (async function* () {})(),
    onInterrupt: () => () => {},
  };
  return { io, stdout, stderr };
}

describe('rlm --version', () => {
  it('prints the version of the @rlm/cli package and exits 0', async () => {
    for (const flag of ['--version', '-v']) {
      const { io, stdout, stderr } = captureIo();
      expect(await main([flag], io)).toBe(0);
      expect(stdout).toEqual([manifest.version]);
      expect(stderr).toEqual([]);
    }
  });
});

describe('rlm <command>', () => {
  it.each([['toString'], ['constructor'], ['hasOwnProperty'], ['__proto__']])(
    'rlm %s is an unknown command (exit 2), with or without --help',
    async (name) => {
      for (const argv of [[name], [name, '--help']]) {
        const { io, stdout, stderr } = captureIo();
        expect(await main(argv, io)).toBe(2);
        expect(stdout).toEqual([]);
        expect(stderr).toEqual([`rlm: unknown command "${name}" (try: run, chat, batch, demo, serve, sim, trace, eval, worker, orchestrator)`]);
      }
    },
  );
});
