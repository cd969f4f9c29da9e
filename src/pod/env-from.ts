// Layer pod/: the one pod-template layer. May import kubernetes/ only.
import { k8s } from 'cdk8s-plus-28';
import { dnsSubdomain, ensure, invalid, Where } from '../kubernetes/validation';

/** Options of an {@link PodEnvFrom} source. */
export interface PodEnvFromOptions {
  /** Prepended to every key, e.g. `ES_` (a key `PASSWORD` becomes `ES_PASSWORD`). @default - none */
  readonly prefix?: string;
  /** Start the container even if the Secret or ConfigMap does not exist. @default false */
  readonly optional?: boolean;
}

type EnvFromSource =
  | { readonly kind: 'secret'; readonly name: string; readonly options: PodEnvFromOptions }
  | { readonly kind: 'configMap'; readonly name: string; readonly options: PodEnvFromOptions };

/** A prefix begins every variable name, so it follows the environment variable name rule. */
const ENV_PREFIX = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/**
 * Every key of a Secret or ConfigMap as environment variables (`envFrom`): how output credentials
 * reach a container without sitting in a ConfigMap or the manifest in plain text.
 *
 * The factories take the object's name; factories taking the object itself can sit beside them.
 */
export class PodEnvFrom {
  /** Every key of the Secret named `secretName`, in the pod's namespace. */
  public static fromSecretName(secretName: string, options: PodEnvFromOptions = {}): PodEnvFrom {
    return new PodEnvFrom({ kind: 'secret', name: secretName, options });
  }

  /** Every key of the ConfigMap named `configMapName`, in the pod's namespace. */
  public static fromConfigMapName(configMapName: string, options: PodEnvFromOptions = {}): PodEnvFrom {
    return new PodEnvFrom({ kind: 'configMap', name: configMapName, options });
  }

  private constructor(private readonly source: EnvFromSource) {}

  /** @internal */
  public _render(where: Where, field: string): k8s.EnvFromSource {
    const s = this.source;
    const name = ensure(where, `${field}.${s.kind === 'secret' ? 'secretName' : 'configMapName'}`, s.name, dnsSubdomain);
    const prefix = s.options.prefix;
    if (prefix !== undefined && !ENV_PREFIX.test(prefix)) {
      invalid(where, `${field}.prefix`, prefix, 'must be letters, digits, "_", "-", "." and not start with a digit (it begins every variable name)',
        `try "${prefix.replace(/[^-._a-zA-Z0-9]/g, '_').replace(/^[0-9]/, '_$&')}"`);
    }
    const ref = { name, optional: s.options.optional };
    return s.kind === 'secret' ? { prefix, secretRef: ref } : { prefix, configMapRef: ref };
  }
}
