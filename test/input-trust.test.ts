import { App, Chart, Testing } from 'cdk8s';
import {
  AppSynthesizer, HostAccess, PlanOutput, HostPathType, NodeAgent, PodVolume, PolicyChecker, PolicySeverity, StatelessApp,
} from '../src';
import { errorOf, Manifest, synthValid, tempDir, testChart } from './util';

// The input-trust rules of issue 25, one describe per class: each with the bad side (refused, with path, field,
// value and fix) and the valid side (accepted).

const WHY = 'the vendor ships only a rolling tag for this debug tool';

function policyErrors(docs: Manifest[]): string[] {
  return new PolicyChecker().check({ 'test.k8s.yaml': docs })
    .filter((v) => v.severity === PolicySeverity.ERROR && !v.suppressedBecause)
    .map((v) => v.ruleId);
}
function suppressed(docs: Manifest[]): Record<string, string> {
  return Object.fromEntries(new PolicyChecker().check({ 'test.k8s.yaml': docs })
    .filter((v) => v.suppressedBecause).map((v) => [v.ruleId, v.suppressedBecause!]));
}

describe('1. a reason stated once satisfies the construct and every policy route', () => {
  const agent = (reasons: boolean) => (chart: Chart) => new NodeAgent(chart, 'agent', {
    containers: [{
      name: 'agent', image: reasons ? 'example.com/agent:latest' : 'example.com/agent:1.0.0', unpinnedImageReason: reasons ? WHY : undefined,
      volumeMounts: [{ volume: 'sock', mountPath: '/run/containerd/containerd.sock' }],
      resources: { cpuRequest: '50m', cpuLimit: '100m', memoryRequest: '64Mi', memoryLimit: '128Mi' },
    }],
    volumes: [PodVolume.hostPath('sock', '/run/containerd/containerd.sock', HostPathType.SOCKET, reasons ? { reason: 'the agent lists containers through the runtime' } : {})],
    hostPid: HostAccess.granted({ reason: 'the agent reads every process of the node' }),
    hostNetwork: HostAccess.granted({ reason: 'the agent reports the node network counters' }),
  });

  test('with the reasons: PolicyChecker passes, each rule suppressed with the construct\'s own reason text', () => {
    const chart = testChart();
    agent(true)(chart);
    const docs = synthValid(chart);
    expect(policyErrors(docs)).toEqual([]);
    expect(suppressed(docs)).toMatchObject({
      'latest-tag': WHY,
      'sensitive-host-mounts': 'the agent lists containers through the runtime',
      'host-pid': 'the agent reads every process of the node',
      'host-network': 'the agent reports the node network counters',
    });
  });

  test('with the reasons: AppSynthesizer with policy: {} writes', () => {
    const app = new App();
    agent(true)(new Chart(app, 'agents'));
    const outdir = tempDir('trust-1');
    const result = AppSynthesizer.synth(app, { outdir, policy: {}, planOutput: PlanOutput.NONE });
    expect(result.files.map((f) => f.fileName)).toContain('agents.k8s.yaml');
  });

  test('without the reasons: the construct refuses (and the policy would, on the same manifest)', () => {
    expect(errorOf(() => { const c = testChart(); agent(false)(c); Testing.synth(c); }))
      .toMatch(/volumeMounts\[0\]\.readOnly false: mounts the sensitive host path \/run\/containerd\/containerd\.sock writable/);
    const unjustified: Manifest = {
      apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'a', namespace: 'x' },
      spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { hostPID: true, containers: [{ name: 'c', image: 'x:latest' }] } } },
    };
    expect(policyErrors([unjustified])).toEqual(expect.arrayContaining(['host-pid', 'latest-tag']));
  });

  test('a reason for one container does not suppress the rule for another', () => {
    const chart = testChart();
    new StatelessApp(chart, 'w', {
      containers: [
        { name: 'a', image: 'busybox:latest', unpinnedImageReason: WHY },
        { name: 'b', image: 'busybox:latest', unpinnedImageReason: WHY },
      ],
    });
    const docs = Testing.synth(chart);
    const deployment = docs.find((d: Manifest) => d.kind === 'Deployment');
    delete deployment.spec.template.metadata.annotations['cdk8s-workloads.dev/reason.unpinned-image.b'];
    expect(new PolicyChecker().check({ f: [deployment] }).filter((v) => v.ruleId === 'latest-tag').map((v) => [v.path, v.suppressedBecause]))
      .toEqual([['spec.template.spec.containers[0].image', WHY], ['spec.template.spec.containers[1].image', undefined]]);
  });
});
