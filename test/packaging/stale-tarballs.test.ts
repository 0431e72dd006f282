import { describe, expect, it } from 'vitest';
import { staleTarballs } from '../../scripts/pack/stale-tarballs.ts';

describe('staleTarballs', () => {
  const packages = ['@rlm/sdk', '@rlm/cli'];

  it('finds earlier tarballs of the packed packages at any version', () => {
    expect(
      staleTarballs(
        ['rlm-sdk-0.1.0.tgz', 'rlm-sdk-0.10.0-beta.1.tgz', 'rlm-cli-0.1.0.tgz'],
        packages,
      ),
    ).toEqual(['rlm-sdk-0.1.0.tgz', 'rlm-sdk-0.10.0-beta.1.tgz', 'rlm-cli-0.1.0.tgz']);
  });

  it('leaves other files alone, including look-alike package names', () => {
    expect(
      staleTarballs(
        [
          'other.tgz',
          'rlm-sdk-extra-1.0.0.tgz',
          'rlm-sdk-0.1.0.tar',
          'README.md',
          'rlm-shared-0.1.0.tgz',
        ],
        packages,
      ),
    ).toEqual([]);
  });
});
