// Layer pod/: the one pod-template layer. May import kubernetes/ only.
import { k8s } from 'cdk8s-plus-28';
import { ensure, ensureOptional, intInRange, invalid, labelKey, nonNegativeInt, oneOf, Where } from '../kubernetes/validation';

/** Taint effect a toleration matches. */
export enum PodTaintEffect {
  NO_SCHEDULE = 'NoSchedule',
  PREFER_NO_SCHEDULE = 'PreferNoSchedule',
  NO_EXECUTE = 'NoExecute',
}

/** How a toleration compares the taint value. */
export enum TolerationOperator {
  EQUAL = 'Equal',
  EXISTS = 'Exists',
}

/** Lets pods schedule onto nodes with matching taints. */
export interface Toleration {
  /** Taint key. @default - every key (only with operator Exists) */
  readonly key?: string;
  /** How the taint value is compared. @default TolerationOperator.EQUAL when a value is given, else EXISTS */
  readonly operator?: TolerationOperator;
  /** Value of the taint. @default - none */
  readonly value?: string;
  /** Effect of the taint to tolerate. @default - every effect */
  readonly effect?: PodTaintEffect;
  /** For NoExecute: how long the pod stays after the taint appears. @default - forever */
  readonly tolerationSeconds?: number;
}

/** @internal */
export function renderTolerations(where: Where, field: string, tolerations: readonly Toleration[]): k8s.Toleration[] {
  return tolerations.map((t, i) => {
    const f = `${field}[${i}]`;
    const operator = t.operator ?? (t.value !== undefined ? TolerationOperator.EQUAL : TolerationOperator.EXISTS);
    ensureOptional(where, `${f}.key`, t.key, labelKey);
    ensureOptional(where, `${f}.operator`, t.operator, oneOf(TolerationOperator));
    ensureOptional(where, `${f}.effect`, t.effect, oneOf(PodTaintEffect));
    if (operator === TolerationOperator.EXISTS && t.value !== undefined) {
      invalid(where, `${f}.value`, t.value, 'operator Exists matches any value, so a value is not allowed', 'remove the value or use operator Equal');
    }
    if (t.key === undefined && operator !== TolerationOperator.EXISTS) {
      invalid(where, `${f}.operator`, operator, 'a toleration without a key must use operator Exists', 'set a key or use TolerationOperator.EXISTS');
    }
    if (t.tolerationSeconds !== undefined && t.effect !== PodTaintEffect.NO_EXECUTE) {
      invalid(where, `${f}.tolerationSeconds`, t.tolerationSeconds, 'only applies to the NoExecute effect', 'set effect: TaintEffect.NO_EXECUTE or drop tolerationSeconds');
    }
    ensureOptional(where, `${f}.tolerationSeconds`, t.tolerationSeconds, nonNegativeInt);
    return { key: t.key, operator, value: t.value, effect: t.effect, tolerationSeconds: t.tolerationSeconds };
  });
}

/** What a topology spread does when it cannot be satisfied. */
export enum WhenUnsatisfiable {
  SCHEDULE_ANYWAY = 'ScheduleAnyway',
  DO_NOT_SCHEDULE = 'DoNotSchedule',
}

/** Options of a topology spread constraint. */
export interface TopologySpreadOptions {
  /** Most pods one domain may have above the emptiest one. @default 1 */
  readonly maxSkew?: number;
  /** Node label whose values are the domains to spread over. @default "kubernetes.io/hostname" */
  readonly topologyKey?: string;
  /** What the scheduler does when the spread cannot be kept. @default WhenUnsatisfiable.SCHEDULE_ANYWAY */
  readonly whenUnsatisfiable?: WhenUnsatisfiable;
}

/** Options of pod anti-affinity. */
export interface AntiAffinityOptions {
  /** Node label whose values are the domains the pods avoid sharing. @default "kubernetes.io/hostname" */
  readonly topologyKey?: string;
  /** Weight of the preference (1-100). @default 100 */
  readonly weight?: number;
}

type SpreadKind =
  | { readonly kind: 'preferAntiAffinity'; readonly options: AntiAffinityOptions }
  | { readonly kind: 'requireAntiAffinity'; readonly options: AntiAffinityOptions }
  | { readonly kind: 'topology'; readonly options: TopologySpreadOptions };

/** How replicas of one workload spread across nodes (or zones). */
export class Spread {
  /** Soft anti-affinity: prefer nodes without a replica (production charts' default). */
  public static preferDifferentNodes(options: AntiAffinityOptions = {}): Spread {
    return new Spread({ kind: 'preferAntiAffinity', options });
  }

  /** Hard anti-affinity: never two replicas in one topology domain; more replicas than nodes stay Pending. */
  public static requireDifferentNodes(options: AntiAffinityOptions = {}): Spread {
    return new Spread({ kind: 'requireAntiAffinity', options });
  }

  /** A topology spread constraint over the workload's pods. */
  public static topology(options: TopologySpreadOptions = {}): Spread {
    return new Spread({ kind: 'topology', options });
  }

  private constructor(private readonly spec: SpreadKind) {}

  /** @internal */
  public _apply(where: Where, field: string, selector: Record<string, string>): Pick<k8s.PodSpec, 'affinity' | 'topologySpreadConstraints'> {
    const labelSelector = { matchLabels: { ...selector } };
    const s = this.spec;
    if (s.kind === 'topology') {
      ensureOptional(where, `${field}.maxSkew`, s.options.maxSkew, intInRange(1, 2 ** 31 - 1));
      ensureOptional(where, `${field}.whenUnsatisfiable`, s.options.whenUnsatisfiable, oneOf(WhenUnsatisfiable));
      const topologyKey = ensure(where, `${field}.topologyKey`, s.options.topologyKey ?? 'kubernetes.io/hostname', labelKey);
      return {
        topologySpreadConstraints: [{
          maxSkew: s.options.maxSkew ?? 1,
          topologyKey,
          whenUnsatisfiable: s.options.whenUnsatisfiable ?? WhenUnsatisfiable.SCHEDULE_ANYWAY,
          labelSelector,
        }],
      };
    }
    const topologyKey = ensure(where, `${field}.topologyKey`, s.options.topologyKey ?? 'kubernetes.io/hostname', labelKey);
    const term = { labelSelector, topologyKey };
    if (s.kind === 'requireAntiAffinity') {
      return { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } } };
    }
    const weight = ensure(where, `${field}.weight`, s.options.weight ?? 100, intInRange(1, 100));
    return { affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight, podAffinityTerm: term }] } } };
  }
}
