import { describe, expect, it } from 'vitest';
import { parseLength, withoutSecrets } from './eval-flags.ts';

describe('rlm eval flags', () => {
  it('reads lengths as plain numbers, k, M or powers of two', () => {
    expect(['8192', '8k', '1M', '2^20', '64K'].map(parseLength)).toEqual([
      8192,
      8192,
      2 ** 20,
      2 ** 20,
      65536,
    ]);
    expect(() => parseLength('100')).toThrow('--lengths');
    expect(() => parseLength('1.5k')).toThrow('--lengths');
  });

  it('keeps API keys out of the recorded command', () => {
    expect(
      withoutSecrets(['--api-key', 'sk-secret', '--lengths', '8k', '--api-key=sk-other']),
    ).toEqual(['--lengths', '8k']);
  });
});
