// Layer gitops/: synthesis, output directory, change guard, policy. May import kubernetes/ only.
import { isBuiltInGroup, PolicyObject, PolicyRuleInfo, PolicySeverity, RuleDefinition, RULES, statedReasonFor } from './rules';
import { SUPPRESSION_PREFIX, suppressionsOf } from './suppression';
import { groupOf, invalid, workloadsError, WorkloadsError } from '../../kubernetes/validation';

/** Configuration of the policy: the `properties` of the plugin's entry in cdk8s.yaml. */
export interface PolicyOptions {
  /**
   * Ids of rules to switch off for the whole app. `schema`, `strict-fields` and `server-side` restate
   * what the API server enforces and cannot be switched off. @default - every rule runs
   */
  readonly disabledRules?: string[];
  /**
   * Severity per rule id, e.g. `{ "no-liveness-probe": "error" }`. Errors fail `cdk8s synth`, warnings are reported.
   * `schema`, `strict-fields` and `server-side` stay errors.
   * @default - each rule's default severity
   */
  readonly severities?: { [ruleId: string]: PolicySeverity };
}

/** One rule broken by one object. */
export interface PolicyViolation {
  /** The rule, e.g. `run-as-non-root`. */
  readonly ruleId: string;
  /** Its severity with the plugin's properties applied. */
  readonly severity: PolicySeverity;
  /** The manifest file the object is in. */
  readonly file: string;
  /** Position of the object in its file (0-based). */
  readonly index: number;
  /** The object's kind. */
  readonly kind: string;
  /** Namespace of the object. @default - the object has no namespace */
  readonly namespace?: string;
  /** The object's `metadata.name`. */
  readonly name: string;
  /** The object as `Kind namespace/name` (or `Kind name` without a namespace). */
  readonly object: string;
  /** JSON path of the offending field. */
  readonly path: string;
  /** What is wrong. */
  readonly message: string;
  /** How to fix it. */
  readonly fix: string;
  /**
   * Why the object may break the rule, when a suppression annotation (or the pod layer's runs-as-root
   * annotation) allows it. Suppressed violations never fail a synthesis.
   * @default - not suppressed
   */
  readonly suppressedBecause?: string;
}

/** apiVersions that are tooling configuration, not objects applied to a cluster. */
const NOT_CLUSTER_OBJECTS = /^kustomize\.config\.k8s\.io\//;
/**
 * Rules that restate what the Kubernetes API server itself enforces: an object that breaks them is
 * rejected on apply whatever the policy says, so configuration may not switch them off or make them
 * warnings app-wide.
 */
const API_SERVER_RULES: ReadonlySet<string> = new Set(['schema', 'strict-fields', 'server-side']);
const API_SERVER_REASON = 'is a rule the Kubernetes API server enforces itself (it rejects such objects on apply), so it cannot be';

/** Rules that need a schema, which custom resources do not have here. */
const SCHEMA_RULES = new Set(['schema', 'strict-fields']);

/**
 * The policy as a pure function of parsed manifests: checks every object against the rule set
 * (schema, strict fields, server-side rules, hardening) and applies suppressions.
 *
 * `PolicyPlugin` adapts it to cdk8s-cli's validation plugin interface; use it directly in tests.
 */
export class PolicyChecker {
  /** Prefix of the per-object suppression annotation: `<prefix><rule-id>: "<reason>"`. */
  public static readonly SUPPRESSION_ANNOTATION_PREFIX = SUPPRESSION_PREFIX;

  /** Every rule with its default severity. */
  public static rules(): PolicyRuleInfo[] {
    return RULES.map(({ id, defaultSeverity, description, suppressible }) => ({ id, defaultSeverity, description, suppressible }));
  }

  private readonly rules: ReadonlyMap<string, RuleDefinition>;
  private readonly enabled: readonly RuleDefinition[];
  private readonly severities: ReadonlyMap<string, PolicySeverity>;

  public constructor(options: PolicyOptions = {}) {
    const where = 'cdk8s.yaml validations[].properties';
    this.rules = new Map(RULES.map((r) => [r.id, r]));
    const known = () => `use one of: ${RULES.map((r) => r.id).join(', ')}`;
    const disabledRules = options.disabledRules ?? [];
    if (!Array.isArray(disabledRules)) invalid(where, 'disabledRules', disabledRules, 'must be a list of rule ids', known());
    disabledRules.forEach((id, i) => {
      if (!this.rules.has(id)) invalid(where, `disabledRules[${i}]`, id, 'is not a rule', known());
      if (API_SERVER_RULES.has(id)) invalid(where, `disabledRules[${i}]`, id, `${API_SERVER_REASON} disabled`, 'remove it from disabledRules and fix the objects it reports');
    });
    const severities = new Map<string, PolicySeverity>();
    for (const [id, severity] of Object.entries(options.severities ?? {})) {
      if (!this.rules.has(id)) invalid(where, 'severities', id, 'is not a rule', known());
      if (severity !== PolicySeverity.ERROR && severity !== PolicySeverity.WARNING) {
        invalid(where, `severities.${id}`, severity, 'is not a severity', 'use "error" or "warning"');
      }
      if (API_SERVER_RULES.has(id) && severity !== PolicySeverity.ERROR) {
        invalid(where, `severities.${id}`, severity, `${API_SERVER_REASON} downgraded to a warning`, `remove ${id} from severities and fix the objects it reports`);
      }
      severities.set(id, severity);
    }
    this.severities = severities;
    this.enabled = RULES.filter((r) => !disabledRules.includes(r.id));
  }

  /** The severity a rule has with these options. */
  public severityOf(ruleId: string): PolicySeverity {
    const rule = this.rules.get(ruleId);
    if (!rule) {
      throw WorkloadsError.input('PolicyChecker.severityOf', 'ruleId', ruleId, {
        reason: 'is not a rule of the policy', fix: `use one of ${[...this.rules.keys()].join(', ')}`,
      });
    }
    return this.severities.get(ruleId) ?? rule.defaultSeverity;
  }

  /**
   * Checks every object of every file; returns every violation, suppressed ones included (with
   * `suppressedBecause` set), in file order.
   * @param manifestsByFile the parsed YAML documents of each manifest file, by file name
   */
  public check(manifestsByFile: { [file: string]: any[] }): PolicyViolation[] {
    return this._check(manifestsByFile, false);
  }

  /**
   * {@link check}, for manifests that already passed the API-server rules when `serverChecked` (AppSynthesizer
   * checks every rendered object and throws on any finding). Those rules cannot be disabled, downgraded or
   * suppressed, so for these objects they would only repeat the same walk and find nothing.
   * @internal
   */
  public _check(manifestsByFile: { [file: string]: any[] }, serverChecked: boolean): PolicyViolation[] {
    const objects: PolicyObject[] = [];
    const indexes = new Map<PolicyObject, number>();
    for (const [file, docs] of Object.entries(manifestsByFile)) {
      (docs ?? []).forEach((manifest, index) => {
        if (manifest === null || manifest === undefined) return;
        if (typeof manifest !== 'object' || Array.isArray(manifest)) {
          throw workloadsError('SYNTHESIS', 'PolicyChecker', `${file}: document ${index} is not an object`);
        }
        if (NOT_CLUSTER_OBJECTS.test(String(manifest.apiVersion))) return;
        const object = { manifest, file };
        objects.push(object);
        indexes.set(object, index);
      });
    }
    return objects.flatMap((object) => this.checkObject(object, indexes.get(object)!, objects, serverChecked));
  }

  private checkObject(object: PolicyObject, index: number, all: readonly PolicyObject[], serverChecked: boolean): PolicyViolation[] {
    const m = object.manifest;
    const namespace = typeof m.metadata?.namespace === 'string' ? m.metadata.namespace : undefined;
    const name = String(m.metadata?.name ?? '(unnamed)');
    const kind = String(m.kind ?? '(no kind)');
    const base = { file: object.file, index, kind, namespace, name, object: `${kind} ${namespace ? `${namespace}/` : ''}${name}` };
    const suppressions = suppressionsOf(object, this.rules);
    // Custom resources have no schema here; everything else about them is still checked.
    const apiVersion = String(m.apiVersion);
    const group = groupOf(apiVersion);
    const custom = group.includes('.') && !isBuiltInGroup(apiVersion);
    const out: PolicyViolation[] = [];
    for (const rule of this.enabled) {
      if ((custom && SCHEMA_RULES.has(rule.id)) || (serverChecked && API_SERVER_RULES.has(rule.id))) continue;
      const findings = rule.id === 'invalid-suppression' ? suppressions.problems : rule.check(object, all);
      for (const f of findings) {
        const reason = suppressions.reasons.get(rule.id) ?? statedReasonFor(object, rule.id, f);
        out.push({
          ruleId: rule.id,
          severity: this.severityOf(rule.id),
          ...base,
          path: f.path,
          message: f.message,
          fix: f.fix,
          suppressedBecause: reason,
        });
      }
    }
    return out;
  }
}

/** One line per violation: `error run-as-non-root Deployment default/web (dist/web.k8s.yaml) path: message; fix`. */
export function formatViolation(v: PolicyViolation): string {
  const suppressed = v.suppressedBecause ? ` [suppressed: ${v.suppressedBecause}]` : '';
  return `${v.severity} ${v.ruleId} ${v.object} (${v.file}) ${v.path ? `${v.path}: ` : ''}${v.message}; fix: ${v.fix}${suppressed}`;
}
