/**
 * Static checks of the Kubernetes manifests: render a kustomization with
 * `kubectl kustomize` (offline), validate every object against its
 * Kubernetes or KEDA JSON schema (kubernetes-models), then our own rules:
 * hardened pods, probes, resources, tagged images, PodDisruptionBudgets, and a
 * KEDA trigger that points at a Service that exists.
 */
import { spawnSync } from 'node:child_process';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Service } from 'kubernetes-models/v1/Service';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { parseAllDocuments } from 'yaml';
import { EngineConfig } from '@rlm/shared';

export interface ManifestObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
}

/** Renders a kustomization; throws with kubectl's message, or a clear one when kubectl is missing. */
export function renderKustomization(directory: string): ManifestObject[] {
  const result = spawnSync('kubectl', ['kustomize', directory], { encoding: 'utf8' });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error(
      'kubectl is not on PATH: the manifest checks need kubectl >= 1.27 (kustomize v5) to render infra/k8s. ' +
        "Install it from https://kubernetes.io/docs/tasks/tools/ (Debian's kubernetes-client package is too old).",
    );
  }
  if (result.error !== undefined) throw result.error;
  if (result.status !== 0)
    throw new Error(`kubectl kustomize ${directory} failed: ${result.stderr.trim()}`);
  return parseAllDocuments(result.stdout)
    .map((document) => document.toJS() as ManifestObject | null)
    .filter((object): object is ManifestObject => object !== null);
}

/** Every problem of a rendered set of objects, one line each; empty when all is well. */
export async function validateObjects(objects: readonly ManifestObject[]): Promise<string[]> {
  const problems: string[] = [];
  for (const object of objects) {
    const schemaProblem = await validateSchema(object);
    if (schemaProblem !== undefined) problems.push(`${describe(object)}: ${schemaProblem}`);
  }
  if (problems.length > 0) return problems;
  const deployments = objects.filter((object) => Deployment.is(object));
  const scaled = objects.filter((object) => ScaledObject.is(object));
  for (const deployment of deployments) {
    const name = describe(deployment);
    for (const problem of podProblems(deployment)) problems.push(`${name}: ${problem}`);
    const labels = deployment.spec?.template.metadata?.labels ?? {};
    const autoscaled = scaled.some(
      (scaledObject) => scaledObject.spec.scaleTargetRef.name === deployment.metadata?.name,
    );
    const covered = objects
      .filter((object) => PodDisruptionBudget.is(object))
      .some((budget) =>
        Object.entries(budget.spec?.selector?.matchLabels ?? { '': '' }).every(
          ([key, value]) => labels[key] === value,
        ),
      );
    if ((autoscaled || (deployment.spec?.replicas ?? 1) > 1) && !covered)
      problems.push(`${name}: runs several replicas without a PodDisruptionBudget`);
  }
  for (const scaledObject of scaled) {
    const name = describe(scaledObject);
    const target = scaledObject.spec.scaleTargetRef.name;
    if (!deployments.some((deployment) => deployment.metadata?.name === target))
      problems.push(`${name}: scales "${target}", which is not rendered`);
    for (const trigger of scaledObject.spec.triggers.filter(
      (candidate) => candidate.type === 'metrics-api',
    )) {
      problems.push(...metricsApiProblems(name, trigger.metadata['url'] ?? '', objects));
    }
  }
  return problems;
}

/** The CLI command each container of our image is started with (its first argument). */
/** The argument lists of every container that runs our image (the CLI command comes first). */
export function rlmArgLists(objects: readonly ManifestObject[]): string[][] {
  return objects
    .filter((object) => Deployment.is(object))
    .flatMap((deployment) => deployment.spec?.template.spec?.containers ?? [])
    .filter((container) => /(^|\/)rlm(:|@|$)/.test(container.image ?? ''))
    .map((container) => container.args ?? ['(no command)']);
}

export function rlmCommands(objects: readonly ManifestObject[]): string[] {
  return rlmArgLists(objects).map((args) => args[0] ?? '(no command)');
}

async function validateSchema(object: ManifestObject): Promise<string | undefined> {
  const [group, version] = object.apiVersion.includes('/')
    ? object.apiVersion.split('/')
    : ['', object.apiVersion];
  const specifier =
    group === 'keda.sh'
      ? `@kubernetes-models/keda/keda.sh/${version}`
      : `kubernetes-models/${group === '' ? '' : `${group}/`}${version}`;
  let model: unknown;
  try {
    model = ((await import(specifier)) as Record<string, unknown>)[object.kind];
  } catch {
    model = undefined;
  }
  if (typeof model !== 'function') return `no schema for ${object.apiVersion} ${object.kind}`;
  try {
    new (model as new (data: object) => { validate(): void })(object).validate();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

function podProblems(deployment: IDeployment): string[] {
  const problems: string[] = [];
  const pod = deployment.spec?.template.spec;
  if (pod?.automountServiceAccountToken !== false)
    problems.push('mounts a service-account token (automountServiceAccountToken must be false)');
  if (pod?.securityContext?.runAsNonRoot !== true)
    problems.push('pod securityContext.runAsNonRoot must be true');
  problems.push(
    ...graceProblems(pod?.terminationGracePeriodSeconds ?? 30, pod?.containers[0]?.args ?? []),
  );
  for (const container of pod?.containers ?? []) {
    const at = `container ${container.name}`;
    const security = container.securityContext;
    if (security?.readOnlyRootFilesystem !== true)
      problems.push(`${at}: readOnlyRootFilesystem must be true`);
    if (security?.allowPrivilegeEscalation !== false)
      problems.push(`${at}: allowPrivilegeEscalation must be false`);
    if (!(security?.capabilities?.drop ?? []).includes('ALL'))
      problems.push(`${at}: capabilities must drop ALL`);
    if (container.livenessProbe === undefined || container.readinessProbe === undefined)
      problems.push(`${at}: needs liveness and readiness probes`);
    if (container.resources?.requests === undefined || container.resources.limits === undefined)
      problems.push(`${at}: needs resource requests and limits`);
    const image = container.image ?? '';
    if (!/:[\w][\w.-]*$|@sha256:/.test(image) || image.endsWith(':latest'))
      problems.push(`${at}: image "${image}" needs an explicit tag other than latest`);
    const portNames = new Set((container.ports ?? []).map((port) => port.name));
    for (const probe of [
      container.livenessProbe,
      container.readinessProbe,
      container.startupProbe,
    ]) {
      const port = probe?.httpGet?.port ?? probe?.tcpSocket?.port;
      if (typeof port === 'string' && !portNames.has(port))
        problems.push(`${at}: a probe uses port "${port}", which the container does not declare`);
    }
  }
  return problems;
}

/**
 * A draining process gets `--grace` seconds for its running jobs, and the pod
 * must outlive that; a worker's grace must cover the longest REPL step (the
 * schema's default step timeout).
 */
function graceProblems(podGraceSeconds: number, args: readonly string[]): string[] {
  const flag = args.indexOf('--grace');
  if (flag < 0) return [];
  const grace = Number(args[flag + 1]);
  const problems: string[] = [];
  if (!(podGraceSeconds > grace))
    problems.push(
      `terminationGracePeriodSeconds (${podGraceSeconds}) must exceed --grace ${grace}`,
    );
  const longestStep = EngineConfig.parse({}).stepTimeoutSec;
  if (args[0] === 'worker' && !(grace >= longestStep))
    problems.push(`worker --grace ${grace} must cover the longest REPL step (${longestStep} s)`);
  return problems;
}

/** KEDA's operator runs in its own namespace: the URL must name `<service>.<namespace>.svc...:<port>` of a rendered Service. */
function metricsApiProblems(
  name: string,
  url: string,
  objects: readonly ManifestObject[],
): string[] {
  const match = /^https?:\/\/([^.:/]+)\.([^.:/]+)\.svc(?:\.cluster\.local)?:(\d+)\//.exec(url);
  if (match === null)
    return [
      `${name}: metrics-api url "${url}" must be http://<service>.<namespace>.svc.cluster.local:<port>/...`,
    ];
  const [, service, namespace, port] = match;
  const found = objects
    .filter((object) => Service.is(object))
    .find(
      (candidate) =>
        candidate.metadata?.name === service && (candidate.metadata?.namespace ?? '') === namespace,
    );
  if (found === undefined)
    return [
      `${name}: metrics-api url names Service ${service} in namespace ${namespace}, which is not rendered`,
    ];
  if (!(found.spec?.ports ?? []).some((servicePort) => String(servicePort.port) === port))
    return [`${name}: Service ${service} has no port ${port}`];
  return [];
}

function describe(object: ManifestObject): string {
  return `${object.kind} ${object.metadata?.namespace === undefined ? '' : `${object.metadata.namespace}/`}${object.metadata?.name ?? '?'}`;
}
