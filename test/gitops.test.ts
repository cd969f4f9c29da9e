import { execSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import {
  BatchJob, CoreDnsAddon, DnsSmokeTest, NodeAgent, ScheduledJob, SmokeTarget, StatefulApp, StatelessApp,
} from '../src';
import { cdk8sAppCommand, Manifest, parseYamlDocuments, readTree, synthValid, tempDir } from './util';
import { buildTutorialCluster, tutorialHostFiles } from '../examples/tutorial/tutorial';
import { AppSynthesizer } from '../src/gitops/app-synthesizer';
import { LEGACY_STORAGE_CLASS_ANNOTATION } from '../src/workload/storage';

// The GitOps contract of dist/ beyond test/app.test.ts (which checks committed == fresh, YAML only,
// the kustomization's file list and every object's validity): determinism, an apply order that works
// on an empty cluster, selectors that survive refactoring the app, and `kubectl kustomize dist`.

const ROOT = path.join(__dirname, '..');
const DIST = path.join(ROOT, 'dist');


// ---------------------------------------------------------------------------------------------------
describe('determinism', () => {
  function synthInProcess(): { dist: Record<string, string>; hosts: Record<string, string> } {
    const outdir = tempDir('gitops-synth');
    const app = new App({ outdir });
    const cluster = buildTutorialCluster(app);
    AppSynthesizer.synth(app);
    return { dist: readTree(outdir), hosts: tutorialHostFiles(cluster) };
  }

  /** cdk8s.yaml's app command in a fresh process, writing to temp dirs as `cdk8s synth` makes it. */
  function synthInNewProcess(): { dist: Record<string, string>; hosts: Record<string, string> } {
    const outdir = tempDir('gitops-proc');
    const hosts = tempDir('gitops-proc-hosts');
    const env = { ...process.env, CDK8S_OUTDIR: tempDir('gitops-cli'), CDK8S_GITOPS_DIR: outdir, CDK8S_HOST_FILES_DIR: hosts };
    execSync(cdk8sAppCommand(ROOT), { cwd: ROOT, env, stdio: 'pipe' });
    return { dist: readTree(outdir, { ledger: true }), hosts: readTree(hosts) };
  }

  test('two syntheses in one process are byte-identical (no state leaks from one app into the next)', () => {
    const first = synthInProcess();
    const second = synthInProcess();
    expect(Object.keys(first.dist)).toContain('kustomization.yaml');
    expect(Object.keys(first.hosts)).toEqual(['stor01/etc/exports']);
    expect(second).toEqual(first);
  });

  test('two separate processes are byte-identical', () => {
    const first = synthInNewProcess();
    const second = synthInNewProcess();
    expect(Object.keys(first.dist)).toContain('kustomization.yaml');
    expect(Object.keys(first.hosts)).toEqual(['stor01/etc/exports']);
    expect(second).toEqual(first);
  });
});

// ---------------------------------------------------------------------------------------------------
/** One object of dist/, with its position in apply order (the kustomization's order, then file order). */
interface Placed {
  readonly index: number;
  readonly file: string;
  readonly doc: Manifest;
  readonly key: string;
}

const CLUSTER_SCOPED = new Set(['Namespace', 'PersistentVolume', 'StorageClass', 'ClusterRole', 'ClusterRoleBinding']);
const BUILT_IN_NAMESPACES = ['default', 'kube-system'];

function keyOf(doc: Manifest): string {
  return `${doc.kind} ${doc.metadata.namespace ? `${doc.metadata.namespace}/` : ''}${doc.metadata.name}`;
}

function kustomization(): Manifest {
  return parseYamlDocuments(fs.readFileSync(path.join(DIST, 'kustomization.yaml'), 'utf8'))[0];
}

/** dist/'s objects in the order `kubectl apply -k dist` (without kustomize's re-sorting) and Argo CD waves see them. */
function inApplyOrder(): Placed[] {
  const placed: Placed[] = [];
  for (const file of kustomization().resources as string[]) {
    for (const doc of parseYamlDocuments(fs.readFileSync(path.join(DIST, file), 'utf8'))) {
      placed.push({ index: placed.length, file, doc, key: keyOf(doc) });
    }
  }
  return placed;
}

/** The pod spec of a pod-bearing object, if it is one. */
function podSpecOf(doc: Manifest): Manifest | undefined {
  switch (doc.kind) {
    case 'Pod': return doc.spec;
    case 'CronJob': return doc.spec.jobTemplate.spec.template.spec;
    case 'Deployment': case 'StatefulSet': case 'DaemonSet': case 'Job': return doc.spec.template.spec;
    default: return undefined;
  }
}

describe('apply order (kustomization order, then file order)', () => {
  const objects = inApplyOrder();
  const find = (key: string) => objects.find((o) => o.key === key);

  test('namespaced objects name their namespace, cluster-scoped objects carry none', () => {
    const wrong = objects.filter((o) => CLUSTER_SCOPED.has(o.doc.kind) === (o.doc.metadata.namespace !== undefined));
    expect(wrong.map((o) => o.key)).toEqual([]);
  });

  test('every namespace used is built in (default, kube-system) or a Namespace defined earlier in dist/', () => {
    const problems: string[] = [];
    const checked = new Set<string>();
    for (const o of objects) {
      const used = [
        o.doc.metadata.namespace,
        ...(o.doc.subjects ?? []).map((s: Manifest) => s.namespace),
        o.doc.kind === 'PersistentVolume' ? o.doc.spec.claimRef?.namespace : undefined,
      ].filter((ns): ns is string => ns !== undefined);
      for (const ns of used) {
        if (BUILT_IN_NAMESPACES.includes(ns)) continue;
        checked.add(ns);
        const definition = find(`Namespace ${ns}`);
        if (!definition) problems.push(`${o.key} (${o.file}) uses namespace "${ns}", which dist/ does not define`);
        else if (definition.index > o.index) problems.push(`${o.key} (${o.file}) comes before its Namespace "${ns}" (${definition.file})`);
      }
    }
    expect(problems).toEqual([]);
    // The node exporter's namespace is the one dist/ defines itself (README, "Use dist/ from GitOps").
    expect([...checked]).toEqual(['monitoring']);
  });

  test('ServiceAccounts and their RBAC come before the workloads that run as them', () => {
    const problems: string[] = [];
    const checked: string[] = [];
    const bindings = objects.filter((o) => o.doc.kind === 'RoleBinding' || o.doc.kind === 'ClusterRoleBinding');
    for (const binding of bindings) {
      const role = find(binding.doc.roleRef.kind === 'Role'
        ? `Role ${binding.doc.metadata.namespace}/${binding.doc.roleRef.name}`
        : `ClusterRole ${binding.doc.roleRef.name}`);
      if (role && role.index > binding.index) problems.push(`${binding.key} comes before its ${role.key}`);
      if (!role && !binding.doc.roleRef.name.startsWith('system:')) problems.push(`${binding.key} binds ${binding.doc.roleRef.name}, defined neither in dist/ nor built in`);
      for (const s of binding.doc.subjects.filter((x: Manifest) => x.kind === 'ServiceAccount')) {
        if (!find(`ServiceAccount ${s.namespace}/${s.name}`)) problems.push(`${binding.key} binds ServiceAccount ${s.namespace}/${s.name}, which dist/ does not define`);
      }
    }
    for (const o of objects) {
      const account = podSpecOf(o.doc)?.serviceAccountName;
      if (account === undefined || account === 'default') continue;
      const ns = o.doc.metadata.namespace;
      const sa = find(`ServiceAccount ${ns}/${account}`);
      if (!sa) problems.push(`${o.key} runs as ServiceAccount ${account}, which dist/ does not define`);
      else if (sa.index > o.index) problems.push(`${o.key} comes before its ${sa.key}`);
      checked.push(`${o.key} after ${sa?.key}`);
      const its = bindings.filter((b) => b.doc.subjects.some((s: Manifest) => s.kind === 'ServiceAccount' && s.name === account && s.namespace === ns));
      for (const binding of its) {
        if (binding.index > o.index) problems.push(`${o.key} comes before ${binding.key}, which grants its ServiceAccount`);
        checked.push(`${o.key} after ${binding.key}`);
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toEqual(expect.arrayContaining([
      'Deployment kube-system/coredns after ServiceAccount kube-system/coredns',
      'Deployment kube-system/coredns after ClusterRoleBinding system:coredns',
      'DaemonSet monitoring/node-exporter after ServiceAccount monitoring/node-exporter',
    ]));
  });

  test('the StorageClass and PersistentVolumes come before the StatefulSets whose claims bind them', () => {
    const problems: string[] = [];
    const checked: string[] = [];
    for (const set of objects.filter((o) => o.doc.kind === 'StatefulSet')) {
      for (const template of set.doc.spec.volumeClaimTemplates ?? []) {
        // The PV controller reads the legacy annotation before spec.storageClassName.
        const className = template.metadata.annotations?.[LEGACY_STORAGE_CLASS_ANNOTATION] ?? template.spec.storageClassName;
        const storageClass = find(`StorageClass ${className}`);
        if (storageClass && storageClass.index > set.index) problems.push(`${set.key} comes before ${storageClass.key}`);
        const volumes = objects.filter((o) => o.doc.kind === 'PersistentVolume' && o.doc.spec.storageClassName === className);
        for (const pv of volumes.filter((v) => v.index > set.index)) problems.push(`${set.key} comes before ${pv.key}, which its claims may bind`);
        if (volumes.length < (set.doc.spec.replicas ?? 1)) problems.push(`${set.key}: ${set.doc.spec.replicas} claims "${template.metadata.name}" of class ${className}, only ${volumes.length} volumes of that class`);
        checked.push(`${set.key} ${template.metadata.name}: ${storageClass?.key}, ${volumes.length} volumes`);
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toEqual(['StatefulSet default/myapp myappdata: StorageClass nfs-client-storageclass, 5 volumes']);
  });

  test('CoreDNS comes first: every other workload starts after the coredns Deployment and the kube-dns Service', () => {
    const dns = [find('Deployment kube-system/coredns')!, find('Service kube-system/kube-dns')!];
    expect(dns.map((o) => o.file)).toEqual([kustomization().resources[0], kustomization().resources[0]]);
    const lastDns = Math.max(...dns.map((o) => o.index));
    const early = objects.filter((o) => podSpecOf(o.doc) && o.key !== 'Deployment kube-system/coredns' && o.index < lastDns);
    expect(early.map((o) => o.key)).toEqual([]);
  });

  test('namespace layout: CoreDNS in kube-system, the node exporter in monitoring, every other namespaced object in default', () => {
    const byNamespace: Record<string, string[]> = {};
    for (const o of objects) (byNamespace[o.doc.metadata.namespace ?? '(cluster)'] ??= []).push(`${o.doc.kind} ${o.doc.metadata.name}`);
    expect(byNamespace['kube-system']).toEqual([
      'ServiceAccount coredns', 'ConfigMap coredns', 'Deployment coredns', 'Service kube-dns',
    ]);
    // The ResourceQuota admits the node exporter's system-node-critical pods outside kube-system (GKE).
    expect(byNamespace.monitoring).toEqual(['ServiceAccount node-exporter', 'ResourceQuota node-exporter-priority', 'DaemonSet node-exporter', 'Service node-exporter']);
    expect(byNamespace['(cluster)'].sort()).toEqual([
      'ClusterRole system:coredns', 'ClusterRoleBinding kube-apiserver-kubelet-api-admin', 'ClusterRoleBinding system:coredns',
      'Namespace monitoring', 'PersistentVolume pv001', 'PersistentVolume pv002', 'PersistentVolume pv003',
      'PersistentVolume pv004', 'PersistentVolume pv005', 'StorageClass nfs-client-storageclass',
    ]);
    expect(Object.keys(byNamespace).sort()).toEqual(['(cluster)', 'default', 'kube-system', 'monitoring']);
  });

  test('the smoke tests are a chart of their own, applied last, holding only Jobs', () => {
    const resources = kustomization().resources as string[];
    const smoke = objects.filter((o) => o.file === resources[resources.length - 1]);
    expect(smoke.map((o) => o.key)).toEqual(['Job default/nginx-statefulset-smoke-test', 'Job default/myapp-smoke-test']);
  });
});

// ---------------------------------------------------------------------------------------------------
describe('kubectl kustomize dist', () => {
  // Always: the in-repo equivalent of what kustomize needs. Additionally, where kubectl is installed
  // (developer machines; CI images need not have it), render dist/ with it and compare every object.
  // Deliberately one test, not a skipped one: the kustomization checks run everywhere.
  test('the kustomization lists each chart file once, needs no other file, and kustomize renders every object', () => {
    const k = kustomization();
    expect(Object.keys(k).sort()).toEqual(['apiVersion', 'kind', 'resources']); // no patches or generators reading other files
    expect(k).toMatchObject({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization' });
    const resources = k.resources as string[];
    expect(new Set(resources).size).toBe(resources.length);
    for (const file of resources) {
      expect(file).toMatch(/^[0-9]{4}-[a-z0-9-]+\.k8s\.yaml$/); // a plain file name inside dist/, no path, no URL
      expect(fs.statSync(path.join(DIST, file)).isFile()).toBe(true);
    }
    const expected = inApplyOrder().map((o) => o.doc);
    expect(expected.length).toBeGreaterThan(0);

    const kubectl = spawnSync('kubectl', ['kustomize', DIST], { encoding: 'utf8', timeout: 60_000 });
    if ((kubectl.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') return; // no kubectl on PATH
    expect(kubectl.stderr).toBe('');
    expect(kubectl.status).toBe(0);
    // kustomize re-sorts by kind (Namespaces, StorageClasses, RBAC first); compare by identity and content.
    const byKey = (docs: Manifest[]) => Object.fromEntries(docs.map((d) => [keyOf(d), d]));
    const rendered = parseYamlDocuments(kubectl.stdout);
    expect(rendered).toHaveLength(expected.length);
    expect(byKey(rendered)).toEqual(byKey(expected));
  });
});

// ---------------------------------------------------------------------------------------------------
/** What Kubernetes never lets a workload change: its selector, and the pod labels it selects. Services too. */
function selectorsOf(docs: Manifest[]): Record<string, Manifest> {
  const out: Record<string, Manifest> = {};
  for (const doc of docs) {
    if (doc.kind === 'Service') out[keyOf(doc)] = { selector: doc.spec.selector };
    if (['Deployment', 'StatefulSet', 'DaemonSet', 'Job'].includes(doc.kind)) {
      out[keyOf(doc)] = { selector: doc.spec.selector, podLabels: doc.spec.template.metadata.labels };
    }
    if (doc.kind === 'CronJob') out[keyOf(doc)] = { podLabels: doc.spec.jobTemplate.spec.template.metadata.labels };
  }
  return out;
}

function synthCharts(app: App): Manifest[] {
  return app.node.findAll().filter((c): c is Chart => c instanceof Chart).flatMap((c) => Testing.synth(c));
}

describe('selectors survive moving and renaming constructs', () => {
  test('nesting every chart of the synth app under an extra construct changes no selector (and no object)', () => {
    const normal = Testing.app();
    buildTutorialCluster(normal);
    const moved = Testing.app();
    // buildTutorialCluster only uses its argument as the scope of the charts; any construct works.
    const cluster = buildTutorialCluster(new Construct(moved, 'platform'));
    expect(cluster.stateful.node.path).toBe('platform/stateful');

    const before = synthCharts(normal);
    const after = synthCharts(moved);
    const selectors = selectorsOf(before);
    expect(Object.keys(selectors)).toEqual(expect.arrayContaining([
      'Deployment kube-system/coredns', 'StatefulSet default/myapp', 'StatefulSet default/nginx-statefulset',
      'Deployment default/nginx-deployment', 'DaemonSet default/nginx-daemonset', 'DaemonSet monitoring/node-exporter',
      'Job default/pi', 'CronJob default/hello', 'Service default/nginx-service', 'Job default/myapp-smoke-test',
    ]));
    expect(selectorsOf(after)).toEqual(selectors);
    expect(after).toEqual(before);
  });

  const container = { name: 'main', image: 'example.com/app:1.0.0', ports: [{ number: 8080, name: 'http' }] };
  const constructs: Array<[string, (scope: Construct, id: string) => unknown]> = [
    ['StatefulApp', (s, id) => new StatefulApp(s, id, { name: 'db', containers: [container], volumeClaimTemplates: [{ name: 'data', storage: '1Gi' }] })],
    ['StatelessApp', (s, id) => new StatelessApp(s, id, { name: 'web', containers: [container] })],
    ['NodeAgent', (s, id) => new NodeAgent(s, id, { name: 'agent', containers: [container] })],
    ['NodeAgent.nodeExporter', (s, id) => NodeAgent.nodeExporter(s, id, { name: 'node-exporter' })],
    ['BatchJob', (s, id) => new BatchJob(s, id, { name: 'migrate', containers: [container] })],
    ['BatchJob (hashedName)', (s, id) => new BatchJob(s, id, { name: 'migrate', hashedName: true, containers: [container] })],
    ['ScheduledJob', (s, id) => new ScheduledJob(s, id, { name: 'report', schedule: '0 3 * * *', containers: [container] })],
    ['CoreDnsAddon', (s, id) => new CoreDnsAddon(s, id, { name: 'coredns', dnsServiceIp: '10.0.0.10' })],
    ['DnsSmokeTest', (s, id) => new DnsSmokeTest(s, id, { name: 'smoke', targets: [SmokeTarget.hosts(['kubernetes.default'])] })],
  ];

  test.each(constructs)('%s: another construct id and another parent, same name: same selectors', (_, create) => {
    const first = new Chart(Testing.app(), 'apps', { namespace: 'default' });
    create(first, 'original');
    const second = new Chart(Testing.app(), 'renamed-chart', { namespace: 'default' });
    create(new Construct(second, 'nested'), 'renamed');

    const before = selectorsOf(synthValid(first));
    expect(Object.keys(before).length).toBeGreaterThan(0);
    expect(selectorsOf(synthValid(second))).toEqual(before);
  });
});
