/**
 * The manifest a workspace package is published with. In the repository every
 * package exports its TypeScript sources and depends on its siblings through
 * `workspace:*`; the packed manifest points `exports` at the built JavaScript
 * and declarations and names real versions. Pure, so it is tested directly.
 */

/** The fields of a workspace package.json this transform reads. */
export interface WorkspaceManifest {
  readonly name: string;
  readonly version: string;
  readonly description?: string;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly [field: string]: unknown;
}

export interface PackedManifestOptions {
  /** Version of every workspace package, by name: what `workspace:` ranges become. */
  readonly workspaceVersions: ReadonlyMap<string, string>;
  /** The `engines.node` range every package declares (the engine's, from @rlm/shared). */
  readonly nodeRange: string;
  /** Executables: command name -> built file inside the package (the CLI's `rlm`). */
  readonly bin?: Readonly<Record<string, string>>;
}

export function packedManifest(
  manifest: WorkspaceManifest,
  options: PackedManifestOptions,
): Record<string, unknown> {
  const packed: Record<string, unknown> = {
    name: manifest.name,
    version: manifest.version,
    ...(manifest.description === undefined ? {} : { description: manifest.description }),
    type: 'module',
    engines: { node: options.nodeRange },
    // `types` first: TypeScript takes the first condition that matches.
    exports: {
      '.': { types: './dist/index.d.ts', default: './dist/index.js' },
      './package.json': './package.json',
    },
    types: './dist/index.d.ts',
    // The sources ship too, so the source and declaration maps lead somewhere.
    files: ['dist', 'src'],
    ...(options.bin === undefined ? {} : { bin: options.bin }),
    dependencies: resolveWorkspaceRanges(manifest, options.workspaceVersions),
  };
  return packed;
}

/**
 * `workspace:*` becomes the sibling's exact version (the packages are released
 * together, so a mix of versions is never tested); other ranges stay as written.
 */
function resolveWorkspaceRanges(
  manifest: WorkspaceManifest,
  versions: ReadonlyMap<string, string>,
): Record<string, string> {
  const resolved: Record<string, string> = {};
  for (const [name, range] of Object.entries(manifest.dependencies ?? {})) {
    if (!range.startsWith('workspace:')) {
      resolved[name] = range;
      continue;
    }
    const version = versions.get(name);
    if (version === undefined)
      throw new Error(
        `${manifest.name} depends on ${name} (${range}), which is not a workspace package`,
      );
    const wanted = range.slice('workspace:'.length);
    if (wanted === '*' || wanted === '') resolved[name] = version;
    else if (wanted === '^' || wanted === '~') resolved[name] = `${wanted}${version}`;
    else resolved[name] = wanted;
  }
  return resolved;
}
