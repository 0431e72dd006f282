/** `rlm batch --csv FILE`: the batch's records as RFC 4180 CSV (quoted fields, CRLF rows). */
import { writeFile } from 'node:fs/promises';
import type { BatchRecord } from '@rlm/sdk';

const COLUMNS = [
  'id',
  'query',
  'answer',
  'parsed',
  'stopReason',
  'inputTokens',
  'outputTokens',
  'cachedInputTokens',
  'calls',
  'costUsd',
  'durationMs',
  'traceId',
  'error',
] as const;

export async function writeCsv(file: string, records: readonly BatchRecord[]): Promise<void> {
  const rows = [COLUMNS.join(',')];
  for (const record of records) {
    const cells: Record<(typeof COLUMNS)[number], unknown> = {
      id: record.id,
      query: record.query,
      answer: record.answer,
      parsed: record.parsed === null ? '' : JSON.stringify(record.parsed),
      stopReason: record.stopReason,
      inputTokens: record.usage.inputTokens,
      outputTokens: record.usage.outputTokens,
      cachedInputTokens: record.usage.cachedInputTokens,
      calls: record.usage.calls,
      costUsd: record.costUsd,
      durationMs: record.durationMs,
      traceId: record.traceId,
      error: record.error === null ? '' : `${record.error.code}: ${record.error.message}`,
    };
    rows.push(COLUMNS.map((column) => csvCell(String(cells[column]))).join(','));
  }
  await writeFile(file, `${rows.join('\r\n')}\r\n`);
}

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
