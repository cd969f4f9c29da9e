// Layer workload/: what every workload shares (identity, selector, Services, RBAC, storage, job spec, app index). May import kubernetes/ and pod/.
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { objectMeta, WorkloadIdentity } from './identity';
import { IntOrPercent } from './int-or-percent';
import { invalid, ownInstance } from '../kubernetes/validation';

/** Options of a workload's PodDisruptionBudget. */
export interface DisruptionBudgetOptions {
  /** Pods that may be down at once during voluntary disruptions (drains). @default IntOrPercent.count(1) */
  readonly maxUnavailable?: IntOrPercent;
  /** Pods that must stay up instead; exclusive with maxUnavailable. @default - use maxUnavailable */
  readonly minAvailable?: IntOrPercent;
}

/** Renders a `policy/v1` PodDisruptionBudget over a workload's pods. @internal */
export function addDisruptionBudget(
  scope: Construct, id: string, identity: WorkloadIdentity, given: DisruptionBudgetOptions, replicas?: number,
): k8s.KubePodDisruptionBudget {
  const options: DisruptionBudgetOptions = {
    maxUnavailable: ownInstance(scope, 'disruptionBudget.maxUnavailable', given.maxUnavailable, IntOrPercent, 'IntOrPercent.count(1)'),
    minAvailable: ownInstance(scope, 'disruptionBudget.minAvailable', given.minAvailable, IntOrPercent, 'IntOrPercent.percent(50)'),
  };
  if (replicas !== undefined) ensureBudgetAllowsDrains(scope, options, replicas);
  if (options.maxUnavailable && options.minAvailable) {
    invalid(scope, 'disruptionBudget.minAvailable', options.minAvailable.toString(), 'minAvailable and maxUnavailable are exclusive', 'give one of them');
  }
  const minAvailable = options.minAvailable?._render(scope, 'disruptionBudget.minAvailable');
  const maxUnavailable = options.minAvailable ? undefined : (options.maxUnavailable ?? IntOrPercent.count(1))._render(scope, 'disruptionBudget.maxUnavailable');
  if (options.maxUnavailable?.isZero) {
    invalid(scope, 'disruptionBudget.maxUnavailable', options.maxUnavailable.toString(), 'zero blocks every node drain', 'allow at least 1');
  }
  return new k8s.KubePodDisruptionBudget(scope, id, {
    metadata: objectMeta(identity, identity.name),
    spec: { selector: { matchLabels: { ...identity.selectorLabels } }, maxUnavailable, minAvailable },
  });
}

/** A budget that never lets a pod go blocks `kubectl drain` forever. */
function ensureBudgetAllowsDrains(scope: Construct, budget: DisruptionBudgetOptions, replicas: number): void {
  const min = budget.minAvailable;
  if (!min || replicas === 0) return;
  // The disruption controller rounds a percentage up: 50% of 1 replica keeps that replica.
  const kept = min.isPercent ? Math.ceil((replicas * min.value) / 100) : min.value;
  if (kept >= replicas) {
    const below = min.isPercent ? `${Math.floor((100 * (replicas - 1)) / replicas) + 1}%` : `${replicas}`;
    invalid(scope, 'disruptionBudget.minAvailable', min.toString(),
      `keeps all ${replicas} replicas up${min.isPercent && min.value < 100 ? ' (percentages round up)' : ''}, which blocks every node drain`,
      `use a value below ${below}, or maxUnavailable`);
  }
}
