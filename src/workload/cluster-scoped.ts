// Layer workload/: what every workload shares (identity, selector, Services, RBAC, storage, job spec, app index). May import kubernetes/ and pod/.
import { ApiObject, Chart, JsonPatch } from 'cdk8s';

/**
 * Drops the namespace a chart would give a cluster-scoped object (PersistentVolume, ClusterRole, ...).
 * Call it on every cluster-scoped ApiObject a construct renders.
 * @internal
 */
export function clusterScoped<T extends ApiObject>(obj: T): T {
  if (Chart.of(obj).namespace !== undefined) obj.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
  return obj;
}
