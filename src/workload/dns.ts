import { dnsSubdomain, ensure, invalid, Where } from '../validation';

/** The cluster domain kubelet and the cluster DNS use unless configured otherwise. */
export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';

/**
 * Something with cluster DNS names that a smoke test can resolve: a StatefulApp (a name per pod
 * under its headless Service) or any Service.
 */
export interface IDnsNamed {
  /** Fully qualified name of the Service, e.g. `myapp-svc.default.svc.cluster.local`. */
  readonly serviceDnsName: string;
  /** Fully qualified name of every pod, e.g. `myapp-0.myapp-svc.default.svc.cluster.local`; empty when pods have none. */
  readonly podDnsNames: string[];
}

/** Validates a cluster domain (`cluster.local`): a DNS subdomain without a trailing dot. @internal */
export function ensureClusterDomain(where: Where, field: string, domain: string): string {
  if (domain.endsWith('.')) invalid(where, field, domain, 'must not end with a dot', `try "${domain.replace(/\.+$/, '')}"`);
  return ensure(where, field, domain, dnsSubdomain);
}

/** `<service>.<namespace>.svc.<domain>`. @internal */
export function serviceFqdn(service: string, namespace: string, domain: string): string {
  return `${service}.${namespace}.svc.${domain}`;
}
