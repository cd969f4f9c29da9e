// Layer workload/: what every workload shares (identity, selector, Services, RBAC, storage, job spec, app index). May import kubernetes/ and pod/.
import { k8s } from 'cdk8s-plus-28';
import { intInRange, invalid, nonNegativeInt, Where, ensure } from '../kubernetes/validation';

/** A count of pods or a percentage of the desired replicas (maxSurge, maxUnavailable, PDB budgets). */
export class IntOrPercent {
  /** An absolute number of pods. */
  public static count(value: number): IntOrPercent {
    return new IntOrPercent(value, false);
  }

  /** A percentage (0-100) of the desired replicas. */
  public static percent(value: number): IntOrPercent {
    return new IntOrPercent(value, true);
  }

  private constructor(
    /** The number (count or percentage). */
    public readonly value: number,
    /** True for a percentage. */
    public readonly isPercent: boolean,
  ) {}

  /** True when this is zero (count 0 or 0%). */
  public get isZero(): boolean {
    return this.value === 0;
  }

  /** `1` or `"25%"`. */
  public toString(): string {
    return this.isPercent ? `${this.value}%` : `${this.value}`;
  }

  /** @internal */
  public _render(where: Where, field: string): k8s.IntOrString {
    if (this.isPercent) {
      ensure(where, field, this.value, intInRange(0, 100, 'use a percentage from 0 to 100'));
      return k8s.IntOrString.fromString(`${this.value}%`);
    }
    ensure(where, field, this.value, nonNegativeInt);
    return k8s.IntOrString.fromNumber(this.value);
  }
}

/** Rejects a rolling update that could never make progress. @internal */
export function ensureRollingProgress(where: Where, maxSurge: IntOrPercent, maxUnavailable: IntOrPercent, prefix: string): void {
  if (maxSurge.isZero && maxUnavailable.isZero) {
    invalid(where, `${prefix}maxSurge/maxUnavailable`, '0/0', 'both zero means a rollout can never replace a pod', 'set maxUnavailable to at least 1 or maxSurge to at least 1');
  }
}
