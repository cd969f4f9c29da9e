import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { KubeletApiAccess } from '../../src';

/**
 * The least-privilege fix for the tutorial's `kubectl logs` Forbidden error: the API server's
 * kubelet-client user (CN=kubernetes) gets the kubelet API, instead of `system:anonymous` getting
 * `cluster-admin`.
 */
export class LogAccessChart extends Chart {
  /** The binding. */
  public readonly access: KubeletApiAccess;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.access = new KubeletApiAccess(this, 'kube-apiserver-kubelet-api-admin');
  }
}
