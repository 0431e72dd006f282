/**
 * Tarballs an earlier `./dev pack` left in the output directory for the
 * packages about to be packed, at any version. `npm install DIR/*.tgz` takes
 * every file the glob matches, so an old `rlm-sdk-0.1.0.tgz` next to a new
 * `rlm-sdk-0.2.0.tgz` would install whichever the shell sorts last. Other
 * files are left alone. Pure, so it is tested directly.
 */

/** `npm pack`'s file name prefix of a package: `@rlm/sdk` -> `rlm-sdk-`. */
function tarballPrefix(packageName: string): string {
  return `${packageName.replace(/^@/, '').replace('/', '-')}-`;
}

export function staleTarballs(
  fileNames: readonly string[],
  packageNames: readonly string[],
): string[] {
  const prefixes = packageNames.map(tarballPrefix);
  return fileNames.filter(
    (file) =>
      file.endsWith('.tgz') &&
      // The version follows the prefix: `rlm-sdk-` must not match `rlm-sdk-extra-1.0.0.tgz`.
      prefixes.some((prefix) => file.startsWith(prefix) && /^\d/.test(file.slice(prefix.length))),
  );
}
