// Layer kubernetes/: what Kubernetes 1.28 accepts (validation, metadata keys, update rules, rendering). Imports nothing of ours.
import { IConstruct } from 'constructs';
import { formatInputError, Problem } from './errors';

/**
 * Construct metadata type of synth-time warnings: inputs Kubernetes accepts but that are probably
 * not what the author wants. cdk8s has no warning channel of its own, so warnings are construct
 * metadata that an app (or a test) reads with {@link warningsOf}.
 */
const WARNING_METADATA_TYPE = 'cdk8s-workloads:warning';

/** Records a warning on a construct, formatted like input errors: `[path] field "value": reason; fix`. */
export function addWarning(scope: IConstruct, field: string, value: unknown, problem: Problem): string {
  const message = formatInputError(scope, field, value, problem);
  scope.node.addMetadata(WARNING_METADATA_TYPE, message);
  return message;
}

/** Every warning recorded on `scope` and the constructs below it, in tree order. */
export function warningsOf(scope: IConstruct): string[] {
  return scope.node.findAll().flatMap((c) => c.node.metadata.filter((m) => m.type === WARNING_METADATA_TYPE).map((m) => String(m.data)));
}

/** Synth-time warnings of the constructs in a tree (inputs Kubernetes accepts but that are likely mistakes). */
export class SynthWarnings {
  /** The construct metadata type warnings are recorded under. */
  public static readonly METADATA_TYPE = WARNING_METADATA_TYPE;

  /** Every warning recorded on `scope` and the constructs below it, formatted `[path] field "value": reason; fix`. */
  public static of(scope: IConstruct): string[] {
    return warningsOf(scope);
  }
}
