/**
 * Issue 12, probe 6: strict command-line input. Every case ends before any model is called, with
 * exit code 2 and one line naming the flag. The oversized-context probes also assert memory: a
 * context over the limit is refused from `stat` or after reading at most the limit (the original
 * probe read /dev/zero to 600 MB before refusing it); limit asserted: 100 MB of growth.
 */
import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readContextSource } from '../../packages/cli/src/context-source.ts';
import { runCli } from '../support/run-cli.ts';
import { measureRssGrowth } from '../support/rss-peak.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'rlm-cli-input-'));
const file = (name: string, content: string | Uint8Array): string => {
  const target = path.join(dir, name);
  writeFileSync(target, content);
  return target;
};
const good = file('good.txt', 'some text');
// Nothing listens on port 9: no case below may get as far as calling a model.
const endpoint = ['--base-url', 'http://127.0.0.1:9/v1'];
const noStdin = async function* (): AsyncGenerator<Uint8Array> {};

describe('strict CLI input: the context', () => {
  it.each([
    ['an empty file', () => file('empty.txt', ''), /--context: .*empty\.txt is empty/],
    ['a whitespace-only file', () => file('blank.txt', ' \n\t\n'), /--context: .*blank\.txt is empty/],
    ['invalid UTF-8', () => file('latin1.txt', Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a])), /--context: .*latin1\.txt is not valid UTF-8/],
    ['a binary file (NUL bytes)', () => file('binary.bin', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01])), /--context: .*binary\.bin contains a NUL byte \(near byte 4\)/],
    ['a directory', () => dir, /--context: .* is a directory/],
    ['a missing file', () => path.join(dir, 'missing.txt'), /--context: .*missing\.txt cannot be read \(no such file\)/],
  ])('refuses %s with exit 2', async (_name, make, message) => {
    const result = await runCli(['run', '--context', make(), '--query', 'q', ...endpoint]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('refuses /dev/zero past RLM_MAX_CONTEXT_CHARS after reading at most the limit', async () => {
    const { value: error, growthMb } = await measureRssGrowth(() =>
      readContextSource('/dev/zero', { flag: 'context', maxChars: 20_000_000, stdin: noStdin }).then(
        () => undefined,
        (thrown: unknown) => thrown,
      ),
    );
    // /dev/zero is NUL bytes: refused as binary at its first chunk, long before the size cap.
    expect(String(error)).toMatch(/--context: \/dev\/zero contains a NUL byte/);
    expect(growthMb).toBeLessThan(100);
  });

  it('refuses an endless text stream at the character limit, holding no more than the limit', async () => {
    const endless = async function* (): AsyncGenerator<Uint8Array> {
      const chunk = new TextEncoder().encode('a'.repeat(1024 * 1024));
      for (;;) yield chunk;
    };
    const { value: error, growthMb } = await measureRssGrowth(() =>
      readContextSource('-', { flag: 'context', maxChars: 20_000_000, stdin: endless }).then(
        () => undefined,
        (thrown: unknown) => thrown,
      ),
    );
    expect(String(error)).toMatch(/--context: stdin is too large: more than the maximum of 20,000,000 characters \(RLM_MAX_CONTEXT_CHARS\)/);
    expect(growthMb).toBeLessThan(100);
  });

  it('refuses a file whose byte count alone is over the limit, without reading it', async () => {
    const sparse = path.join(dir, 'sparse.txt');
    writeFileSync(sparse, '');
    truncateSync(sparse, 4 * 1024 * 1024 * 1024); // 4 GiB of holes: stat says so, no disk used
    const result = await runCli(['run', '--context', sparse, '--query', 'q', ...endpoint], { RLM_MAX_CONTEXT_CHARS: '1000000' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--context: .*sparse\.txt is too large: 4,294,967,296 bytes, more than the maximum of 1,000,000 characters \(RLM_MAX_CONTEXT_CHARS\)/);
  });
});

describe('strict CLI input: flags', () => {
  it.each([
    [['--max-depth', '0x10'], /--max-depth: expected a plain decimal number .*got "0x10"/],
    [['--timeout', ' 1 '], /--timeout: expected a plain decimal number .*got " 1 "/],
    [['--max-cost', '1e3'], /--max-cost: expected a plain decimal number .*got "1e3"/],
    [['--concurrency', ''], /--concurrency: expected a plain decimal number/],
    [['--max-depth', '0'], /--max-depth: expected a whole number from 1 to 8, got 0$/m],
    [['--max-cost', '0'], /--max-cost: expected a number above 0, got 0$/m],
    [['--max-iterations', '3', '--max-iterations', '300'], /--max-iterations is given more than once/],
    [['--query', 'again'], /--query is given more than once/],
  ])('refuses %j with exit 2', async (flags, message) => {
    const result = await runCli(['run', '--context', good, '--query', 'q', ...endpoint, ...flags]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('names --trace-out when it is a directory (no raw EISDIR)', async () => {
    const result = await runCli(['run', '--context', good, '--query', 'q', ...endpoint, '--trace-out', dir]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toMatch(/^rlm: --trace-out: cannot write .* \(it is a directory; give a file path\)$/);
  });

  it.each([
    [['--out', dir], /^rlm: --out: cannot write .* \(it is a directory; give a file path\)$/],
    [['--out', path.join(dir, 'no-such-dir', 'out.jsonl')], /^rlm: --out: cannot write .*out\.jsonl \(its directory does not exist\)$/],
    [['--out', path.join(dir, 'out.jsonl'), '--csv', dir], /^rlm: --csv: cannot write .* \(it is a directory; give a file path\)$/],
  ])('rlm batch names the file flag it cannot write: %j', async (flags, message) => {
    const input = file('items.jsonl', '{"id": "a", "text": "some text"}\n');
    const result = await runCli(['batch', '--input', input, '--query', 'q', ...endpoint, ...flags]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toMatch(message);
  });

  it.each([['batch'], ['serve']])('rlm %s names a bad engine setting by its flag', async (command) => {
    const input = file('items-depth.jsonl', '{"id": "a", "text": "some text"}\n');
    const args = command === 'batch' ? ['batch', '--input', input, '--query', 'q', '--out', path.join(dir, 'out-depth.jsonl')] : ['serve', '--port', '0'];
    const result = await runCli([...args, ...endpoint, '--max-depth', '0']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toMatch(/^rlm: --max-depth: expected a whole number from 1 to 8, got 0$/);
  });

  it('refuses a repeated flag in the other commands too', async () => {
    const result = await runCli(['serve', '--port', '0', '--port', '1']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--port is given more than once/);
  });
});
