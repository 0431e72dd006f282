/**
 * Where the documents of a batch come from: a JSONL file of `{id, text}` or
 * `{id, path}` lines (a relative path is resolved against the JSONL file's
 * folder), a directory of text files (id = the file name), or items given in
 * code. Texts load lazily, one document at a time, so a batch of large files
 * never holds them all in memory.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { RlmError } from '@rlm/shared';

export interface BatchItem {
  readonly id: string;
  /** Reads the document's text; a failure fails this document's pairs only. */
  loadText(): Promise<string>;
}

/** Items given in code: `{id, text}` values. */
export function itemsFromTexts(
  entries: ReadonlyArray<{ readonly id: string; readonly text: string }>,
): BatchItem[] {
  return entries.map((entry) => ({ id: entry.id, loadText: () => Promise.resolve(entry.text) }));
}

/** Items from a JSONL file or a directory; throws `config_invalid` naming the bad line or path. */
export async function readBatchItems(input: string): Promise<BatchItem[]> {
  let info;
  try {
    info = await stat(input);
  } catch (error) {
    throw new RlmError(
      'config_invalid',
      `--input: cannot read ${input} (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    );
  }
  const items = info.isDirectory() ? await itemsFromDirectory(input) : await itemsFromJsonl(input);
  const seen = new Set<string>();
  for (const item of items) {
    if (seen.has(item.id))
      throw new RlmError('config_invalid', `--input: the id "${item.id}" appears twice`);
    seen.add(item.id);
  }
  return items;
}

async function itemsFromDirectory(directory: string): Promise<BatchItem[]> {
  const entries = await readdir(directory, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort()
    .map((name) => ({ id: name, loadText: () => readFile(path.join(directory, name), 'utf8') }));
}

async function itemsFromJsonl(file: string): Promise<BatchItem[]> {
  const folder = path.dirname(file);
  const lines = (await readFile(file, 'utf8')).split('\n');
  const items: BatchItem[] = [];
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    const where = `--input: ${file} line ${index + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new RlmError('config_invalid', `${where} is not valid JSON`);
    }
    const record = (typeof value === 'object' && value !== null ? value : {}) as Record<
      string,
      unknown
    >;
    const id = record['id'];
    if (typeof id !== 'string' && typeof id !== 'number') {
      throw new RlmError('config_invalid', `${where} needs an "id" (string or number)`);
    }
    const text = record['text'];
    const source = record['path'];
    if (typeof text === 'string')
      items.push({ id: String(id), loadText: () => Promise.resolve(text) });
    else if (typeof source === 'string') {
      items.push({
        id: String(id),
        loadText: () => readFile(path.resolve(folder, source), 'utf8'),
      });
    } else throw new RlmError('config_invalid', `${where} needs "text" or "path" (a string)`);
  }
  return items;
}
