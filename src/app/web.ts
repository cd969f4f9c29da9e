import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { buildPodTemplate } from '../pod/template';
import { resolveIdentity } from '../workload/identity';

/** The tutorial's web tier and its DNS test pod, in the default namespace. */
export class WebChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id, { namespace: 'default' });

    // The tutorial's `dns-test` pod: a long-running busybox to `kubectl exec` nslookup from.
    // busybox 1.28.4 because nslookup in later busybox images is unreliable against cluster DNS.
    const dnsTest = new Construct(this, 'dns-test');
    const identity = resolveIdentity(dnsTest, { name: 'dns-test' });
    const template = buildPodTemplate(dnsTest, {
      containers: [{
        name: 'dns-test',
        image: 'busybox:1.28.4',
        args: ['/bin/sh', '-c', 'sleep 36000'],
        resources: { cpuRequest: '10m', cpuLimit: '100m', memoryRequest: '16Mi', memoryLimit: '32Mi' },
      }],
    }, { selectorLabels: identity.selectorLabels, labels: identity.labels, restartPolicy: 'Never' });
    new k8s.KubePod(dnsTest, 'Resource', {
      metadata: { name: identity.name, ...template.metadata },
      spec: template.spec,
    });
  }
}
