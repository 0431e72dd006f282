/**
 * A small Dockerfile linter for our own image (no hadolint on these machines):
 * a pure function from the Dockerfile and .dockerignore texts to findings.
 * Rules: base images are node:24 slim with an explicit tag (or a digest), no
 * `latest`; the final stage drops to a non-root USER before it starts
 * anything, has a HEALTHCHECK, an exec-form ENTRYPOINT under tini and runs
 * Node with --no-node-snapshot; ENV/ARG carry no secrets; the build context
 * leaves out node_modules, .git and .tools.
 */

export interface DockerfileFinding {
  readonly rule: string;
  /** 1-based line of the instruction, 0 for the file as a whole. */
  readonly line: number;
  readonly message: string;
}

interface Instruction {
  readonly keyword: string;
  readonly argument: string;
  readonly line: number;
}

const SECRET_NAME = /(api_?key|token|secret|password|passwd|credential)/i;
const BASE_IMAGE = /^node:24(\.\d+){0,2}-(bookworm-|trixie-)?slim(@sha256:[0-9a-f]{64})?$/;
const IGNORED_PATHS = ['node_modules', '.git', '.tools'];

export function lintDockerfile(dockerfile: string, dockerignore: string): DockerfileFinding[] {
  const findings: DockerfileFinding[] = [];
  const report = (rule: string, line: number, message: string): void => {
    findings.push({ rule, line, message });
  };
  const instructions = parseInstructions(dockerfile);
  const stageNames = new Set<string>();
  let finalStage: Instruction[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const [image = '', as, name] = instruction.argument.split(/\s+/);
      // `FROM deps` builds on an earlier stage, not on a base image.
      if (!stageNames.has(image)) checkBaseImage(image, instruction.line, report);
      if (as?.toUpperCase() === 'AS' && name !== undefined) stageNames.add(name);
      finalStage = [];
    }
    finalStage.push(instruction);
    if (
      (instruction.keyword === 'ENV' || instruction.keyword === 'ARG') &&
      SECRET_NAME.test(variableNames(instruction.argument))
    ) {
      report(
        'no-secrets',
        instruction.line,
        `${instruction.keyword} looks like it carries a secret; pass secrets at run time`,
      );
    }
  }

  const find = (keyword: string): Instruction | undefined =>
    finalStage.findLast((instruction) => instruction.keyword === keyword);
  const user = find('USER');
  const entrypoint = find('ENTRYPOINT');
  const command = find('CMD');
  const firstStart = Math.min(
    ...[entrypoint, command].map((instruction) => instruction?.line ?? Infinity),
  );
  if (user === undefined || /^(root|0)(:|$)/.test(user.argument)) {
    report('non-root-user', user?.line ?? 0, 'the final stage must switch to a non-root USER');
  } else if (user.line > firstStart) {
    report('non-root-user', user.line, 'USER must come before ENTRYPOINT and CMD');
  }
  const healthcheck = find('HEALTHCHECK');
  if (healthcheck === undefined || /^NONE\b/i.test(healthcheck.argument))
    report('healthcheck', healthcheck?.line ?? 0, 'the final stage needs a HEALTHCHECK');
  const entrypointArgs = entrypoint === undefined ? undefined : execForm(entrypoint.argument);
  if (entrypointArgs === undefined) {
    report(
      'exec-form-entrypoint',
      entrypoint?.line ?? 0,
      'ENTRYPOINT must be in exec form (a JSON array) so signals reach the process',
    );
  } else if (!/(^|\/)tini$/.test(entrypointArgs[0] ?? '')) {
    report(
      'init-process',
      entrypoint?.line ?? 0,
      'ENTRYPOINT must start with tini to forward signals and reap zombies',
    );
  }
  if (command !== undefined && execForm(command.argument) === undefined)
    report('exec-form-cmd', command.line, 'CMD must be in exec form (a JSON array)');
  if (
    ![entrypoint, command].some((instruction) =>
      instruction?.argument.includes('--no-node-snapshot'),
    )
  ) {
    report(
      'no-node-snapshot',
      entrypoint?.line ?? 0,
      'Node must run with --no-node-snapshot (isolated-vm)',
    );
  }

  const ignored = new Set(
    dockerignore
      .split('\n')
      .map((line) =>
        line
          .trim()
          .replace(/^\*\*\//, '')
          .replace(/\/$/, ''),
      )
      .filter((line) => line !== '' && !line.startsWith('#')),
  );
  for (const path of IGNORED_PATHS.filter((path) => !ignored.has(path))) {
    report('dockerignore', 0, `.dockerignore must exclude ${path}`);
  }
  return findings;
}

function checkBaseImage(
  image: string,
  line: number,
  report: (rule: string, line: number, message: string) => void,
): void {
  if (image.endsWith(':latest') || !/[:@]/.test(image))
    report('pinned-base', line, `base image "${image}" needs an explicit tag, not latest`);
  else if (!BASE_IMAGE.test(image))
    report(
      'node-24-slim',
      line,
      `base image "${image}" must be node:24 slim (node:24-slim, node:24.x-slim)`,
    );
}

/** The JSON array of an exec-form instruction, or undefined for shell form. */
function execForm(argument: string): string[] | undefined {
  try {
    const parsed: unknown = JSON.parse(argument);
    return Array.isArray(parsed) && parsed.every((item) => typeof item === 'string')
      ? parsed
      : undefined;
  } catch {
    return undefined;
  }
}

/** `A=1 B=2`, `A 1` and `A` all name their variables before the values. */
function variableNames(argument: string): string {
  if (!argument.includes('=')) return argument.split(/\s+/)[0] ?? '';
  return [...argument.matchAll(/(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)=/g)]
    .map((match) => match[1])
    .join(' ');
}

/** Instructions with their line numbers; comments dropped, continuations joined. */
function parseInstructions(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    const first = lines[index] ?? '';
    if (first.trim() === '' || first.trim().startsWith('#')) continue;
    const line = index + 1;
    let joined = first;
    while (joined.trimEnd().endsWith('\\') && index + 1 < lines.length) {
      index += 1;
      const next = lines[index] ?? '';
      joined = `${joined.trimEnd().slice(0, -1)} ${next.trim().startsWith('#') ? '' : next.trim()}`;
    }
    const match = /^\s*(\w+)\s+([\s\S]*)$/.exec(joined);
    if (match?.[1] !== undefined)
      instructions.push({
        keyword: match[1].toUpperCase(),
        argument: (match[2] ?? '').trim(),
        line,
      });
  }
  return instructions;
}
