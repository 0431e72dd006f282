import { describe, expect, it } from 'vitest';
import { packedManifest } from '../../scripts/pack/packed-manifest.ts';

const versions = new Map([
  ['@rlm/shared', '0.1.0'],
  ['@rlm/worker', '0.1.0'],
  ['@rlm/redis', '0.1.0'],
]);

describe('packedManifest', () => {
  const repository = {
    name: '@rlm/worker',
    version: '0.1.0',
    private: true,
    type: 'module',
    exports: { '.': './src/index.ts' },
    scripts: { typecheck: 'tsc -p .' },
    dependencies: { '@rlm/shared': 'workspace:*', '@rlm/redis': 'workspace:^', zod: '^4.6.7' },
    devDependencies: { vitest: '^5.0.0' },
  };

  it('points exports at the built JavaScript and declarations, types first', () => {
    const packed = packedManifest(repository, { workspaceVersions: versions, nodeRange: '>=24' });
    expect(packed['exports']).toEqual({
      '.': { types: './dist/index.d.ts', default: './dist/index.js' },
      './package.json': './package.json',
    });
    expect(Object.keys((packed['exports'] as Record<string, object>)['.'] ?? {})[0]).toBe('types');
    expect(packed['engines']).toEqual({ node: '>=24' });
  });

  it('replaces workspace ranges with the sibling versions and keeps the others', () => {
    const packed = packedManifest(repository, { workspaceVersions: versions, nodeRange: '>=24' });
    expect(packed['dependencies']).toEqual({
      '@rlm/shared': '0.1.0',
      '@rlm/redis': '^0.1.0',
      zod: '^4.6.7',
    });
  });

  it('drops what only the repository needs: private, scripts, devDependencies', () => {
    const packed = packedManifest(repository, { workspaceVersions: versions, nodeRange: '>=24' });
    expect(packed).not.toHaveProperty('private');
    expect(packed).not.toHaveProperty('scripts');
    expect(packed).not.toHaveProperty('devDependencies');
  });

  it('adds executables when given', () => {
    const packed = packedManifest(repository, {
      workspaceVersions: versions,
      nodeRange: '>=24',
      bin: { rlm: './dist/rlm-bin.js' },
    });
    expect(packed['bin']).toEqual({ rlm: './dist/rlm-bin.js' });
  });

  it('refuses a workspace range naming a package that is not in the workspace', () => {
    expect(() =>
      packedManifest(
        { name: '@rlm/x', version: '1.0.0', dependencies: { '@rlm/missing': 'workspace:*' } },
        { workspaceVersions: versions, nodeRange: '>=24' },
      ),
    ).toThrow(/@rlm\/missing/);
  });
});
