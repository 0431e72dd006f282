/**
 * Progress of `rlm batch`: on a terminal one redrawn bar (done / total, rate,
 * ETA, cost so far, failures); otherwise one plain line per finished pair, so
 * logs of unattended runs stay readable.
 */
import type { BatchRecord } from '@rlm/sdk';
import type { CommandIo } from '../command-io.ts';

export interface BatchTally {
  total: number;
  skipped: number;
  /** Pairs this run finished, failed ones included. */
  finished: number;
  failed: number;
  costUsd: number;
  readonly startedAt: number;
}

export function newTally(): BatchTally {
  return { total: 0, skipped: 0, finished: 0, failed: 0, costUsd: 0, startedAt: performance.now() };
}

export function countRecord(tally: BatchTally, record: BatchRecord): void {
  tally.finished += 1;
  tally.costUsd += record.costUsd;
  if (record.error !== null) tally.failed += 1;
}

/** Pairs per minute of this run (skipped pairs excluded). */
export function ratePerMinute(tally: BatchTally): number {
  const minutes = (performance.now() - tally.startedAt) / 60_000;
  return minutes > 0 ? tally.finished / minutes : 0;
}

export interface BatchProgress {
  readonly tally: BatchTally;
  /** Redraws the bar, or prints the line of `record`. */
  update(record?: BatchRecord): void;
  finish(): void;
}

export function createBatchProgress(io: CommandIo, quiet: boolean): BatchProgress {
  const terminal = io.terminal;
  const tally = newTally();
  return {
    tally,
    update(record) {
      if (quiet) return;
      if (terminal !== undefined) terminal.write(`\r${barLine(tally, terminal.columns)}`);
      else if (record !== undefined) io.stderr(plainLine(tally, record));
    },
    finish() {
      if (!quiet && terminal !== undefined) terminal.write('\n');
    },
  };
}

function barLine(tally: BatchTally, columns: number): string {
  const done = tally.skipped + tally.finished;
  const share = tally.total === 0 ? 1 : done / tally.total;
  const stats = ` ${done}/${tally.total} ${ratePerMinute(tally).toFixed(1)}/min ETA ${eta(tally)} $${tally.costUsd.toFixed(4)} failed ${tally.failed}`;
  const width = Math.max(10, Math.min(40, columns - stats.length - 3));
  const filled = Math.round(share * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]${stats}`;
}

function plainLine(tally: BatchTally, record: BatchRecord): string {
  const done = tally.skipped + tally.finished;
  const outcome = record.error === null ? record.stopReason : `failed (${record.error.code})`;
  return `batch: ${done}/${tally.total} ${record.id} ${outcome} ${(record.durationMs / 1000).toFixed(1)} s, $${tally.costUsd.toFixed(4)} so far, ${tally.failed} failed, ETA ${eta(tally)}`;
}

function eta(tally: BatchTally): string {
  const rate = ratePerMinute(tally);
  const remaining = tally.total - tally.skipped - tally.finished;
  if (remaining <= 0) return '0s';
  if (rate === 0) return '?';
  const seconds = Math.round((remaining / rate) * 60);
  return seconds >= 90 ? `${Math.round(seconds / 60)}m` : `${seconds}s`;
}
