import { describe, expect, it } from 'vitest';
import { nodeSnapshotDisabled, unsupportedNodeMessage } from './node-support.ts';

describe('unsupportedNodeMessage', () => {
  it('accepts Node 22 from 22.18, and 24 and newer', () => {
    for (const version of ['22.18.0', '22.23.5', '24.0.0', '26.1.0'])
      expect(unsupportedNodeMessage(version, 'rlm'), version).toBeUndefined();
  });

  it('refuses older 22s, 23 and anything before', () => {
    for (const version of ['22.17.1', '23.11.0', '20.20.2', '18.0.0'])
      expect(unsupportedNodeMessage(version, 'rlm'), version).toBeDefined();
  });

  it('names what needs which Node, and the Node it got', () => {
    expect(unsupportedNodeMessage('20.20.2', '@rlm/sdk')).toBe(
      '@rlm/sdk needs Node.js 22 (22.18 or later) or 24+; this is Node.js 20.20.2',
    );
    expect(unsupportedNodeMessage('garbage', 'rlm')).toMatch(/needs Node\.js/);
  });
});

describe('nodeSnapshotDisabled', () => {
  it('finds the flag on the command line or in NODE_OPTIONS', () => {
    expect(nodeSnapshotDisabled(['--no-node-snapshot'], undefined)).toBe(true);
    expect(nodeSnapshotDisabled([], '--max-old-space-size=4096  --no-node-snapshot')).toBe(true);
  });

  it('is false without it, including look-alikes', () => {
    expect(nodeSnapshotDisabled([], undefined)).toBe(false);
    expect(nodeSnapshotDisabled(['--no-node-snapshots'], '--node-snapshot')).toBe(false);
  });
});
