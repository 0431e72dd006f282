import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintDockerfile } from './dockerfile-lint.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const IGNORE = 'node_modules\n.git\n.tools\n';
const GOOD = `# syntax=docker/dockerfile:1
FROM node:24-slim AS deps
RUN npm install --global pnpm@12.21.0 \\
 && echo done
FROM node:24.21-slim AS runtime
COPY --from=deps /app /app
ENV NODE_ENV=production
USER 1000:1000
HEALTHCHECK CMD ["node", "-e", "0"]
ENTRYPOINT ["/usr/bin/tini", "--", "node", "--no-node-snapshot", "main.ts"]
CMD ["worker"]
`;

const rules = (dockerfile: string, dockerignore = IGNORE): string[] =>
  lintDockerfile(dockerfile, dockerignore).map((finding) => finding.rule);

describe('lintDockerfile', () => {
  it('passes the repository Dockerfile and .dockerignore', () => {
    const findings = lintDockerfile(
      readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'),
      readFileSync(path.join(ROOT, '.dockerignore'), 'utf8'),
    );
    expect(findings).toEqual([]);
  });

  it('passes a minimal good Dockerfile', () => {
    expect(rules(GOOD)).toEqual([]);
  });

  it('wants node:24 slim with an explicit tag', () => {
    expect(rules(GOOD.replace('node:24-slim AS deps', 'node:latest AS deps'))).toEqual([
      'pinned-base',
    ]);
    expect(rules(GOOD.replace('node:24-slim AS deps', 'node AS deps'))).toEqual(['pinned-base']);
    expect(rules(GOOD.replace('node:24.21-slim', 'node:22-slim'))).toEqual(['node-24-slim']);
    expect(rules(GOOD.replace('node:24.21-slim', 'node:24'))).toEqual(['node-24-slim']);
    expect(rules(GOOD.replace('node:24.21-slim', `node:24-slim@sha256:${'a'.repeat(64)}`))).toEqual(
      [],
    );
  });

  it('wants a non-root USER before the process starts', () => {
    expect(rules(GOOD.replace('USER 1000:1000\n', ''))).toEqual(['non-root-user']);
    expect(rules(GOOD.replace('USER 1000:1000', 'USER root'))).toEqual(['non-root-user']);
    expect(
      rules(
        GOOD.replace('USER 1000:1000\n', '').replace('CMD ["worker"]', 'CMD ["worker"]\nUSER node'),
      ),
    ).toEqual(['non-root-user']);
  });

  it('wants a HEALTHCHECK', () => {
    expect(rules(GOOD.replace(/HEALTHCHECK.*\n/, ''))).toEqual(['healthcheck']);
    expect(rules(GOOD.replace(/HEALTHCHECK.*\n/, 'HEALTHCHECK NONE\n'))).toEqual(['healthcheck']);
  });

  it('wants an exec-form ENTRYPOINT under tini, with --no-node-snapshot', () => {
    expect(
      rules(GOOD.replace(/ENTRYPOINT.*/, 'ENTRYPOINT node --no-node-snapshot main.ts')),
    ).toEqual(['exec-form-entrypoint']);
    expect(rules(GOOD.replace('"/usr/bin/tini", "--", ', ''))).toEqual(['init-process']);
    expect(rules(GOOD.replace('"--no-node-snapshot", ', ''))).toEqual(['no-node-snapshot']);
    expect(rules(GOOD.replace('CMD ["worker"]', 'CMD worker'))).toEqual(['exec-form-cmd']);
  });

  it('rejects secrets in ENV and ARG', () => {
    expect(
      rules(GOOD.replace('ENV NODE_ENV=production', 'ENV NODE_ENV=production OPENAI_API_KEY=sk-1')),
    ).toEqual(['no-secrets']);
    expect(rules(GOOD.replace('ENV NODE_ENV=production', 'ARG NPM_TOKEN'))).toEqual(['no-secrets']);
  });

  it('wants .dockerignore to leave out node_modules, .git and .tools', () => {
    expect(
      lintDockerfile(GOOD, '**/node_modules\n.git\n').map((finding) => finding.message),
    ).toEqual(['.dockerignore must exclude .tools']);
  });

  it('reports the line of the offending instruction', () => {
    expect(lintDockerfile(GOOD.replace('USER 1000:1000', 'USER 0'), IGNORE)).toEqual([
      { rule: 'non-root-user', line: 8, message: 'the final stage must switch to a non-root USER' },
    ]);
  });
});
