import { describe, expect, it } from 'vitest';
import { MIN_NODE_MAJOR, nodeSnapshotDisabled, unsupportedNodeMessage } from './node-support.ts';

describe('unsupportedNodeMessage', () => {
  it('accepts the minimum major and newer', () => {
    expect(unsupportedNodeMessage(`${MIN_NODE_MAJOR}.0.0`, 'rlm')).toBeUndefined();
    expect(unsupportedNodeMessage('26.1.0', 'rlm')).toBeUndefined();
  });

  it('names what needs which Node, and the Node it got', () => {
    expect(unsupportedNodeMessage('20.20.2', '@rlm/sdk')).toBe(
      `@rlm/sdk needs Node.js ${MIN_NODE_MAJOR} or newer; this is Node.js 20.20.2`,
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
