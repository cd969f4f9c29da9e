// Layer workload/: what every workload shares (identity, selector, Services, RBAC, storage, job spec, app index). May import kubernetes/ and pod/.
import { Construct, IConstruct } from 'constructs';
import { addLibraryValidation, check, dnsSubdomain, invalid, Rule, Where, WorkloadsError } from '../kubernetes/validation';

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

/**
 * Something a Service fronts, whose cluster DNS name is known once it has a Service: a StatelessApp.
 */
export interface IServiceDnsNamed {
  /** Fully qualified name of the Service, e.g. `web.default.svc.cluster.local`; undefined without a Service. */
  readonly serviceDnsName?: string;
}

/** What a cluster domain (`cluster.local`) must be: a DNS subdomain without a trailing dot. @internal */
export const CLUSTER_DOMAIN_RULES: ReadonlyArray<Rule<string>> = [
  (domain) => typeof domain === 'string' && domain.endsWith('.') ? { reason: 'must not end with a dot', fix: `try "${domain.replace(/\.+$/, '')}"` } : undefined,
  dnsSubdomain,
];

/** Validates a cluster domain (see {@link CLUSTER_DOMAIN_RULES}). @internal */
export function ensureClusterDomain(where: Where, field: string, domain: string): string {
  check(where, field, domain, ...CLUSTER_DOMAIN_RULES);
  return domain;
}

/** `<service>.<namespace>.svc.<domain>`. @internal */
export function serviceFqdn(service: string, namespace: string, domain: string): string {
  return `${service}.${namespace}.svc.${domain}`;
}

/** Who fixed an app's cluster domain first: a CoreDnsAddon or a construct given `clusterDomain`. */
interface DomainDeclaration {
  readonly domain: string;
  readonly path: string;
}

/**
 * One cluster domain per app, keyed by the app's root. Registered at construction (O(1) per
 * construct, no tree walks); a late check catches constructs that took the default before a
 * CoreDnsAddon with another domain joined the app.
 */
const APP_DOMAINS = new WeakMap<IConstruct, DomainDeclaration>();

/**
 * Declares the cluster domain of the app `scope` belongs to: a CoreDnsAddon's domain, or one given
 * explicitly to a construct. Two different declarations in one app are an input error. @internal
 */
export function declareClusterDomain(scope: IConstruct, field: string, domain: string): string {
  ensureClusterDomain(scope, field, domain);
  const root = scope.node.root;
  const first = APP_DOMAINS.get(root);
  if (first && first.domain !== domain) {
    invalid(scope, field, domain, `${first.path} already uses the cluster domain "${first.domain}", and an app has one cluster domain`,
      `use "${first.domain}" here, or drop clusterDomain so the app's domain applies`);
  }
  if (!first) APP_DOMAINS.set(root, { domain, path: scope.node.path || '<root>' });
  return domain;
}

/**
 * The cluster domain a construct names DNS with: the one given, else the app's (its CoreDnsAddon's),
 * else `cluster.local`. A construct that took a default is checked again at synthesis, so a
 * CoreDnsAddon added after it cannot leave it with names that never resolve. @internal
 */
export function clusterDomainFor(scope: Construct, field: string, given: string | undefined): string {
  if (given !== undefined) return declareClusterDomain(scope, field, given);
  const root = scope.node.root;
  const used = APP_DOMAINS.get(root)?.domain ?? DEFAULT_CLUSTER_DOMAIN;
  addLibraryValidation(scope, 'APP_CONFLICT', () => {
    const app = APP_DOMAINS.get(root);
    return app && app.domain !== used
      ? [WorkloadsError.input(scope, `${field} (default)`, used, {
        reason: `the app's cluster domain is "${app.domain}" (${app.path}), declared after this construct named its DNS`,
        fix: `create ${app.path} before this construct, or set ${field}: "${app.domain}"`,
      })]
      : [];
  });
  return used;
}

/** The app's cluster domain when one was declared (by a CoreDnsAddon or an explicit clusterDomain). @internal */
export function appClusterDomain(scope: IConstruct): string | undefined {
  return APP_DOMAINS.get(scope.node.root)?.domain;
}
