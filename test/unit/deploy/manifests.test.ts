import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { loadConfigFile } from '../../../src/config/load.js';

// Checks the deploy/ files against each other, the config they ship and package.json. This is not validation
// against the Kubernetes API (no cluster or schema here); with kubectl on PATH, `kubectl kustomize` renders the base.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const K8S = join(ROOT, 'deploy', 'kubernetes');
const STATUS_PATHS = ['/status', '/status/ready', '/metrics'];

type Obj = Record<string, any>;

const manifestFiles = readdirSync(K8S).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
const manifests: Obj[] = manifestFiles.flatMap((f) =>
  parseAllDocuments(readFileSync(join(K8S, f), 'utf8')).map((d) => {
    expect(d.errors, f).toEqual([]);
    return d.toJS() as Obj;
  }),
);
const kustomization = parseAllDocuments(readFileSync(join(K8S, 'kustomization.yaml'), 'utf8'))[0]!.toJS() as Obj;
const byKind = (kind: string): Obj => {
  const found = manifests.filter((m) => m.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0]!;
};
const deployment = byKind('Deployment');
const pod = deployment.spec.template.spec;
const container = pod.containers[0];
const configArg = container.args[container.args.indexOf('--config') + 1] as string;
const configFile = kustomization.configMapGenerator[0].files[0] as string;
const loaded = loadConfigFile(join(K8S, configFile));
if (!loaded.ok) throw new Error(`deploy config invalid: ${JSON.stringify(loaded.errors)}`);
const gateway = loaded.config.gateway;
const replica = gateway;
const containerPort = (name: string): number => container.ports.find((p: Obj) => p.name === name).containerPort;

/** The Dockerfile's instructions of its last stage (the image that runs). */
function runtimeStage(): string[] {
  const text = readFileSync(join(ROOT, 'deploy', 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const from = lines.map((l, i) => (l.startsWith('FROM ') ? i : -1)).filter((i) => i >= 0);
  return lines.slice(from.at(-1));
}

describe('deploy/ files', () => {
  it('are parseable objects with an apiVersion, a kind and a name, every one listed in the kustomization', () => {
    for (const m of manifests) {
      expect(m.apiVersion).toMatch(/^[a-z0-9./]+$/);
      expect(m.kind).toMatch(/^[A-Z][A-Za-z]+$/);
      expect(m.metadata.name).toBe('portcullis');
    }
    expect([...kustomization.resources].sort()).toEqual([...manifestFiles].sort());
    expect(manifests.map((m) => m.kind).sort()).toEqual(['Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Service']);
  });

  it('ship a valid config whose listeners are the container ports, and probe only paths the status listener serves', () => {
    expect(replica.status_listen).not.toBeNull();
    expect(gateway.proxy_listen.map((l) => l.port)).toEqual([containerPort('proxy')]);
    expect(containerPort('status')).toBe(replica.status_listen!.port);
    expect(replica.status_listen!.host).toBe('0.0.0.0');
    expect(container.readinessProbe.httpGet).toEqual({ path: '/status/ready', port: 'status' });
    for (const probe of [container.livenessProbe, container.startupProbe]) {
      expect(STATUS_PATHS).toContain(probe.httpGet.path);
      expect(probe.httpGet.port).toBe('status');
    }
    const annotations = deployment.spec.template.metadata.annotations;
    expect(Number(annotations['prometheus.io/port'])).toBe(replica.status_listen!.port);
    expect(annotations['prometheus.io/path']).toBe('/metrics');
    const service = byKind('Service');
    expect(service.spec.ports.map((p: Obj) => p.targetPort)).toEqual(['proxy']);
  });

  it('give the pod a grace period above drain delay plus drain timeout, and a drain delay for endpoint removal', () => {
    expect(replica.drain_delay_ms).toBeGreaterThan(0);
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(replica.drain_delay_ms + gateway.drain_timeout_ms);
  });

  it('mount the ConfigMap as a directory (subPath gets no updates) at the path the container is started with', () => {
    expect(replica.watch_config).toBe(true);
    const mount = container.volumeMounts.find((v: Obj) => v.name === 'config');
    expect(mount.subPath).toBeUndefined();
    expect(dirname(configArg)).toBe(mount.mountPath);
    expect(basename(configArg)).toBe(configFile);
    const volume = pod.volumes.find((v: Obj) => v.name === 'config');
    expect(volume.configMap.name).toBe(kustomization.configMapGenerator[0].name);
  });

  it('run read-only and non-root: nothing is written because the Admin API is read-only', () => {
    expect(replica.admin_writes).toBe(false);
    expect(container.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    const user = runtimeStage()
      .find((l) => l.startsWith('USER '))!
      .slice(5)
      .split(':')[0];
    expect(Number(user)).toBe(pod.securityContext.runAsUser);
    expect(Number(user)).toBeGreaterThan(0);
  });

  it('size worker threads to the CPU limit, and scale and protect the Deployment it names', () => {
    expect(gateway.workers).toBe(Number(container.resources.limits.cpu));
    expect(byKind('HorizontalPodAutoscaler').spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: deployment.metadata.name });
    expect(byKind('HorizontalPodAutoscaler').spec.metrics[0].resource.name).toBe('cpu');
    expect(container.resources.requests.cpu).toBeDefined();
    expect(byKind('PodDisruptionBudget').spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
    expect(deployment.spec.template.metadata.labels).toMatchObject(deployment.spec.selector.matchLabels);
  });

  it("build an image whose entry command is package.json's bin, started with the Deployment's arguments", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    const stage = runtimeStage();
    expect(stage[0]).toBe('FROM node:20-bookworm-slim');
    const entry = JSON.parse(stage.find((l) => l.startsWith('ENTRYPOINT '))!.slice(11)) as string[];
    expect(entry).toEqual(['node', pkg.bin.portcullis]);
    const cmd = JSON.parse(stage.find((l) => l.startsWith('CMD '))!.slice(4)) as string[];
    expect(cmd).toEqual(container.args);
    expect(container.command).toBeUndefined();
    const dockerfile = readFileSync(join(ROOT, 'deploy', 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^FROM node:20-bookworm-slim AS build$/m);
    for (const step of ['npm ci', 'npm prune --omit=dev', 'test -f build/Release/portcullis_native.node'])
      expect(dockerfile).toContain(step);
  });

  const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
  it.skipIf(kubectl.status !== 0)('render with `kubectl kustomize` (a render only, not API validation)', () => {
    const out = spawnSync('kubectl', ['kustomize', K8S], { encoding: 'utf8' });
    expect(out.stderr).toBe('');
    const kinds = parseAllDocuments(out.stdout)
      .map((d) => (d.toJS() as Obj).kind)
      .sort();
    expect(kinds).toEqual(['ConfigMap', 'Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Service']);
  });
});
