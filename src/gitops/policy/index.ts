// Layer gitops/: synthesis, output directory, change guard, policy. May import kubernetes/ only.
import * as fs from 'fs';
import * as path from 'path';
import { formatViolation, PolicyChecker, PolicyOptions, PolicyViolation } from './checker';
import { PolicySeverity } from './rules';

// cdk8s-cli's validation plugin interface, restated structurally: cdk8s-cli is a command-line tool,
// not a dependency of this library, and its types are not jsii types.

/** A resource that breaks a rule, as cdk8s-cli's validation report lists it. */
export interface PolicyViolatingResource {
  /** `metadata.name` of the object (cdk8s-cli looks up the construct path by it). */
  readonly resourceName: string;
  /** JSON paths of the offending fields. */
  readonly locations: string[];
  /** The manifest file. */
  readonly manifestPath: string;
}

/** A violation as cdk8s-cli's validation report takes it. */
export interface PolicyReportViolation {
  /** The rule and its severity, e.g. `host-pid (error)`. */
  readonly ruleName: string;
  /** The object and what is wrong with it. */
  readonly recommendation: string;
  /** How to fix it. */
  readonly fix: string;
  /** The objects that break the rule (one per violation here). */
  readonly violatingResources: PolicyViolatingResource[];
}

/** The report of cdk8s-cli's `ValidationContext`. */
export interface IPolicyValidationReport {
  /** Adds a violation. */
  addViolation(violation: PolicyReportViolation): void;
  /** Completes the report; `status` is `success` or `failure`. */
  submit(status: string, metadata?: { [key: string]: string }): void;
}

/** The logger of cdk8s-cli's `ValidationContext`. */
export interface IPolicyValidationLogger {
  /** Prints a message. */
  log(message: string): void;
}

/** What cdk8s-cli passes to a validation plugin after synthesis (its `ValidationContext`). */
export interface IPolicyValidationContext {
  /** Paths of every synthesised YAML file. */
  readonly manifests: string[];
  /** Where violations and the final status go. */
  readonly report: IPolicyValidationReport;
  /** Prints to cdk8s-cli's output. */
  readonly logger: IPolicyValidationLogger;
  /** Parses a manifest file into its documents. */
  parseManifest(manifestPath: string): any[];
}

/** Properties of the plugin: the `properties` of its entry under `validations` in cdk8s.yaml. */
export interface PolicyPluginProps extends PolicyOptions {}

/**
 * A cdk8s-cli validation plugin that runs the policy of {@link PolicyChecker} over every synthesised
 * manifest: schema, strict fields, server-side rules and a kube-linter-style hardening set.
 * Errors fail `cdk8s synth`; warnings and justified suppressions are reported.
 *
 * ```yaml
 * # cdk8s.yaml
 * validations:
 *   - package: cdk8s-workloads
 *     version: 1.0.0            # an exact version
 *     class: PolicyPlugin
 *     properties:
 *       disabledRules: [no-read-only-root-fs]
 *       severities: { no-liveness-probe: error }
 * ```
 */
export class PolicyPlugin {
  private readonly checker: PolicyChecker;

  public constructor(props: PolicyPluginProps = {}) {
    this.checker = new PolicyChecker(props);
  }

  /** Runs the policy; called by cdk8s-cli after synthesis. */
  public async validate(context: IPolicyValidationContext): Promise<void> {
    let violations: PolicyViolation[];
    try {
      const byFile: { [file: string]: any[] } = {};
      for (const file of context.manifests) byFile[file] = context.parseManifest(file);
      violations = this.checker.check(byFile);
    } catch (e) {
      context.logger.log(`cdk8s-workloads policy could not check the manifests: ${(e as Error).message}`);
      context.report.submit('failure', { error: (e as Error).message });
      return;
    }
    warnAboutMetadataFiles(context);

    const active = violations.filter((v) => !v.suppressedBecause);
    const suppressed = violations.filter((v) => v.suppressedBecause);
    for (const v of active) {
      context.report.addViolation({
        ruleName: `${v.ruleId} (${v.severity})`,
        recommendation: `${v.object}: ${v.message}`,
        fix: v.fix,
        violatingResources: [{ resourceName: v.name, locations: [v.path || '(object)'], manifestPath: v.file }],
      });
    }
    const errors = active.filter((v) => v.severity === PolicySeverity.ERROR).length;
    for (const v of suppressed) context.logger.log(`suppressed: ${formatViolation(v)}`);
    context.logger.log(`cdk8s-workloads policy: ${errors} error(s), ${active.length - errors} warning(s), ${suppressed.length} suppressed`);
    context.report.submit(errors > 0 ? 'failure' : 'success', {
      errors: String(errors),
      warnings: String(active.length - errors),
      suppressed: String(suppressed.length),
    });
  }
}

/**
 * cdk8s-cli asks apps to write construct-metadata.json next to the manifests whenever validations are
 * configured; Argo CD directory applications would try to apply it. Say so, with the way out.
 */
function warnAboutMetadataFiles(context: IPolicyValidationContext): void {
  const dirs = new Set(context.manifests.map((m) => path.dirname(m)));
  for (const dir of dirs) {
    const file = path.join(dir, 'construct-metadata.json');
    if (fs.existsSync(file)) {
      context.logger.log(`note: ${file} is not a manifest; GitOps directory apps load .json files. `
        + 'Run synth with CDK8S_RECORD_CONSTRUCT_METADATA=false (or new App({ recordConstructMetadata: false })) to keep it out.');
    }
  }
}

export { PolicyChecker, formatViolation } from './checker';
export type { PolicyOptions, PolicyViolation } from './checker';
export { PolicySeverity } from './rules';
export type { PolicyRuleInfo } from './rules';
