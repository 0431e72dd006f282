/**
 * One `capMemory` case (bench/resource-caps.ts) in a process of its own:
 *   node --no-node-snapshot bench/cap-probe.ts pendingCap|promptCharsCap|answerCap|sandboxBudget|contextCap
 * Prints the case's figures with the process's resident memory before the case and at its peak
 * (the kernel's high-water mark, VmHWM), as one JSON line.
 */
import { readFileSync } from 'node:fs';
import { CAP_CASES } from './resource-caps.ts';

function statusMb(field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync('/proc/self/status', 'utf8');
  return Math.round(Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN) / 1024);
}

const name = process.argv[2] ?? '';
if (!Object.hasOwn(CAP_CASES, name)) {
  process.stderr.write(`cap-probe: unknown case "${name}" (known: ${Object.keys(CAP_CASES).join(', ')})\n`);
  process.exitCode = 2;
} else {
  const baselineRssMb = statusMb('VmRSS');
  const figures = await CAP_CASES[name as keyof typeof CAP_CASES]();
  const peakRssMb = statusMb('VmHWM');
  process.stdout.write(`${JSON.stringify({ ...figures, baselineRssMb, peakRssMb, peakGrowthMb: peakRssMb - baselineRssMb })}\n`);
}
