/**
 * The batch's JSONL output doubles as its resume journal: a pair is done
 * exactly when its line is in the file. Resuming reads the file, cuts a torn
 * last line (a process killed mid-write leaves a line without its newline)
 * and collects the done keys.
 *
 * Each record is appended with ONE write call of the whole line including its
 * newline, from one process, so a kill -9 can tear only the last line, never
 * interleave two. Durability policy: `fdatasync` after every line (the default,
 * `sync: 'line'`): a finished pair survives a power loss, at the price of one
 * disk flush per LLM-bound pair, which is noise next to its model calls.
 * `sync: 'none'` leaves flushing to the OS and still survives a killed process.
 */
import { open, readFile, truncate } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { BatchRecord } from './batch-record.ts';

export type OutputSync = 'line' | 'none';

export interface ExistingOutput {
  readonly records: readonly BatchRecord[];
  /** Bytes of a torn last line that were cut off (0 for a clean file). */
  readonly tornBytes: number;
}

/** Reads the output of an earlier run; a missing file is an empty run. Cuts a torn last line in place. */
export async function readExistingOutput(file: string): Promise<ExistingOutput> {
  let content: Buffer;
  try {
    content = await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], tornBytes: 0 };
    throw error;
  }
  const complete = content.lastIndexOf(0x0a) + 1;
  const tornBytes = content.length - complete;
  if (tornBytes > 0) await truncate(file, complete);
  const records: BatchRecord[] = [];
  for (const line of content.subarray(0, complete).toString('utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      const record = JSON.parse(line) as BatchRecord;
      if (typeof record.key === 'string') records.push(record);
    } catch {
      // A line damaged by something other than us: the pair runs again rather than failing the batch.
    }
  }
  return { records, tornBytes };
}

/** Appends records to the output file, one line per write, in completion order. */
export class OutputLog {
  private readonly handle: FileHandle;
  private readonly sync: OutputSync;
  /** Appends run one after another, so a line is never split by another line's write. */
  private tail: Promise<void> = Promise.resolve();

  private constructor(handle: FileHandle, sync: OutputSync) {
    this.handle = handle;
    this.sync = sync;
  }

  static async open(file: string, sync: OutputSync = 'line'): Promise<OutputLog> {
    return new OutputLog(await open(file, 'a'), sync);
  }

  append(record: BatchRecord): Promise<void> {
    const line = `${JSON.stringify(record)}\n`;
    const written = this.tail.then(async () => {
      await this.handle.write(line);
      if (this.sync === 'line') await this.handle.datasync();
    });
    this.tail = written.catch(() => undefined);
    return written;
  }

  async close(): Promise<void> {
    await this.tail;
    await this.handle.close();
  }
}
