// Layer kubernetes/: what Kubernetes 1.28 accepts (validation, metadata keys, update rules, rendering). Imports nothing of ours.

/*
 * Names the StatefulSet controller derives, in one place: the construct's handles, the update rules'
 * advice and the change guard's data-loss findings must all name the same claims.
 */

/** The ordinals of a StatefulSet's pods: `start`, `start + 1`, ... (`spec.ordinals.start`, `spec.replicas`). @internal */
export function statefulOrdinals(start: number, replicas: number): number[] {
  return Array.from({ length: replicas }, (_, i) => start + i);
}

/**
 * The PersistentVolumeClaim the controller makes for one pod from one volume claim template:
 * `<template>-<statefulset>-<ordinal>`. `ordinal` may be a placeholder such as `<ordinal>`. @internal
 */
export function statefulClaimName(template: string, statefulSet: string, ordinal: number | string): string {
  return `${template}-${statefulSet}-${ordinal}`;
}
