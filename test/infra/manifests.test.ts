/**
 * Every kustomization under infra/k8s renders and validates; a deliberately
 * broken copy is reported (so the check is known to bite).
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { renderKustomization, validateObjects } from './manifest-check.ts';

const K8S = path.resolve(import.meta.dirname, '../../infra/k8s');
const OVERLAYS = readdirSync(path.join(K8S, 'overlays')).map((name) => `overlays/${name}`);

// The base is not applied on its own (overlays set the image tag), so overlays are what is checked.
describe.each(OVERLAYS)('infra/k8s/%s', (directory) => {
  it('renders and every object validates', async () => {
    const objects = renderKustomization(path.join(K8S, directory));
    expect(objects.length).toBeGreaterThan(0);
    expect(await validateObjects(objects)).toEqual([]);
  });
});

it('covers a dev and a prod overlay, and prod scales workers with KEDA on /backlog', () => {
  expect(OVERLAYS).toEqual(expect.arrayContaining(['overlays/dev', 'overlays/prod']));
  const scaled = renderKustomization(path.join(K8S, 'overlays/prod')).find(
    (object) => object.kind === 'ScaledObject',
  );
  expect(scaled).toMatchObject({
    spec: {
      scaleTargetRef: { name: 'rlm-worker' },
      triggers: [
        {
          type: 'metrics-api',
          metadata: {
            url: 'http://rlm-orchestrator.rlm.svc.cluster.local:9465/backlog',
            valueLocation: 'backlog',
          },
        },
      ],
    },
  });
});

it('fails with a message naming kubectl when it is missing', () => {
  const path_ = process.env['PATH'];
  process.env['PATH'] = '/nonexistent';
  try {
    expect(() => renderKustomization(path.join(K8S, 'overlays/dev'))).toThrow(
      /kubectl is not on PATH/,
    );
  } finally {
    process.env['PATH'] = path_;
  }
});

it('configures the dev Redis for BullMQ and Jaeger v2 for OTLP over HTTP', () => {
  const objects = renderKustomization(path.join(K8S, 'overlays/dev'));
  const container = (name: string): unknown =>
    objects.find((object) => object.kind === 'Deployment' && object.metadata?.name === name);
  expect(container('redis')).toMatchObject({
    spec: {
      template: {
        spec: {
          containers: [
            {
              args: expect.arrayContaining([
                '--maxmemory-policy',
                'noeviction',
                '--appendonly',
                'yes',
              ]),
            },
          ],
        },
      },
    },
  });
  expect(container('jaeger')).toMatchObject({
    spec: {
      template: {
        spec: {
          containers: [
            {
              image: expect.stringMatching(/^jaegertracing\/jaeger:2\./),
              ports: expect.arrayContaining([expect.objectContaining({ containerPort: 4318 })]),
            },
          ],
        },
      },
    },
  });
  expect(objects.find((object) => object.kind === 'ConfigMap')).toMatchObject({
    data: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318', REDIS_URL: 'redis://redis:6379' },
  });
});

describe('a broken copy of the prod overlay', () => {
  let copy = '';
  afterEach(() => {
    rmSync(copy, { recursive: true, force: true });
  });

  /** Copies infra/k8s, applies `edit` to one file, renders and validates prod. */
  async function problemsAfter(file: string, edit: (text: string) => string): Promise<string[]> {
    copy = mkdtempSync(path.join(tmpdir(), 'rlm-k8s-'));
    cpSync(K8S, copy, { recursive: true });
    const target = path.join(copy, file);
    const before = readFileSync(target, 'utf8');
    const after = edit(before);
    expect(after).not.toBe(before);
    writeFileSync(target, after);
    return validateObjects(renderKustomization(path.join(copy, 'overlays/prod')));
  }

  it('reports a schema violation', async () => {
    const problems = await problemsAfter('base/worker-deployment.yaml', (text) =>
      text.replace('containerPort: 9464', 'containerPort: "9464"'),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^Deployment rlm\/rlm-worker: .*containerPort must be integer/),
    ]);
  });

  it('reports a KEDA schema violation', async () => {
    const problems = await problemsAfter(
      'components/autoscaling/worker-scaled-object.yaml',
      (text) => text.replace('pollingInterval: 15', 'pollingInterval: soon'),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^ScaledObject rlm\/rlm-worker: .*pollingInterval must be integer/),
    ]);
  });

  it('reports a container that may write its root filesystem', async () => {
    const problems = await problemsAfter('base/orchestrator-deployment.yaml', (text) =>
      text.replace('readOnlyRootFilesystem: true', 'readOnlyRootFilesystem: false'),
    );
    expect(problems).toEqual([
      'Deployment rlm/rlm-orchestrator: container rlm: readOnlyRootFilesystem must be true',
    ]);
  });

  it('reports a worker whose pod is killed before its grace period ends', async () => {
    const problems = await problemsAfter('base/worker-deployment.yaml', (text) =>
      text.replace('terminationGracePeriodSeconds: 330', 'terminationGracePeriodSeconds: 30'),
    );
    expect(problems).toEqual([
      'Deployment rlm/rlm-worker: terminationGracePeriodSeconds (30) must exceed --grace 310',
    ]);
  });

  it('reports a KEDA trigger pointing at a Service in another namespace', async () => {
    const problems = await problemsAfter('overlays/prod/kustomization.yaml', (text) =>
      text.replace('rlm-orchestrator.rlm.svc', 'rlm-orchestrator.rlm-dev.svc'),
    );
    expect(problems).toEqual([
      'ScaledObject rlm/rlm-worker: metrics-api url names Service rlm-orchestrator in namespace rlm-dev, which is not rendered',
    ]);
  });

  it('reports a kustomization that does not render', async () => {
    await expect(
      problemsAfter('base/kustomization.yaml', (text) =>
        text.replace('worker-pdb.yaml', 'worker-budget.yaml'),
      ),
    ).rejects.toThrow(/kubectl kustomize .* failed: .*worker-budget\.yaml/);
  });
});
