// Layer gitops/: synthesis, output directory, change guard, policy. May import kubernetes/ only.
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { statefulClaimName, statefulOrdinals } from '../kubernetes/stateful-set';
import { diffLeaves, Doc, RuleContext, UPDATE_RULES } from '../kubernetes/update-rules';
import { ensure, groupOf, isClusterScoped, statedReason, WorkloadsError } from '../kubernetes/validation';

// The change guard compares a new synthesis with the previous one (what the GitOps directory holds) and
// finds what the Kubernetes 1.28 API server would refuse (immutable fields) and what would destroy data
// when a GitOps tool prunes it. It is pure: the caller reads and parses the previous files.

/** The parsed objects of one manifest file. */
export interface ManifestFile {
  /** File name inside the output directory, e.g. `0003-stateful.k8s.yaml`. */
  readonly fileName: string;
  /** The YAML documents of the file, parsed (empty documents left out). */
  readonly objects: any[];
}

/** Which object: the API group (not the version), kind, namespace and name identify it on a cluster. */
export interface ObjectRef {
  /** e.g. `apps/v1`; only its group (`apps`) is used for matching. */
  readonly apiVersion: string;
  /** Kind of the object. */
  readonly kind: string;
  /** Namespace of the object. @default - cluster-scoped, or the namespace the GitOps tool applies into */
  readonly namespace?: string;
  /** Name of the object. */
  readonly name: string;
}

/** An intended replacement or removal: lets the change guard's findings on one object through. */
export interface ChangeAcknowledgement extends ObjectRef {
  /** Why the replacement is intended and how it will be carried out (at least 10 characters, no placeholder). */
  readonly reason: string;
}

/** Options of {@link ChangeGuard.acknowledgeReplacement}. */
export interface AcknowledgeReplacementOptions {
  /** Why the replacement is intended and how it will be carried out (at least 10 characters, no placeholder). */
  readonly reason: string;
}

/** Options of {@link ChangeGuard.planChanges}. */
export interface PlanChangesOptions {
  /**
   * Intended replacements and removals: findings on these objects do not block. Collect the ones recorded in
   * the construct tree with {@link ChangeGuard.acknowledgementsIn}.
   * @default - none
   */
  readonly acknowledgements?: ChangeAcknowledgement[];
}

/** What happens to an object. */
export enum ObjectAction {
  /** New in this synthesis. */
  ADD = 'add',
  /** In both, with a different rendering. */
  CHANGE = 'change',
  /** In the previous synthesis only: a GitOps tool with pruning deletes it. */
  REMOVE = 'remove',
}

/** What a finding is about. */
export enum FindingType {
  /** The API server refuses the update: every sync fails until the object is replaced. */
  IMMUTABLE_FIELD = 'immutable-field',
  /** Removing the object deletes data (claims, a namespace's contents, a volume). */
  DATA_LOSS = 'data-loss',
}

/** One object's change. */
export interface ObjectChange {
  /** The object. */
  readonly resource: ObjectRef;
  /** What the synthesis does to the object. */
  readonly action: ObjectAction;
  /** The file the object is in (for removals: was in). */
  readonly fileName: string;
  /** The file it was in before, when it moved to another file. @default - the same file */
  readonly previousFileName?: string;
  /** For changes: the top-level fields that differ, e.g. `spec.replicas`. Empty for additions and removals. */
  readonly fields: string[];
}

/** A change the API server refuses, or a removal that destroys data. */
export interface ChangeFinding {
  /** The object. */
  readonly resource: ObjectRef;
  /** File the object is in. */
  readonly fileName: string;
  /** Kind of finding. */
  readonly findingType: FindingType;
  /** Field path, e.g. `spec.volumeClaimTemplates[0].spec.resources.requests.storage`. */
  readonly field: string;
  /** The previous value as JSON. @default - the field was unset */
  readonly oldValue?: string;
  /** The new value as JSON. @default - the field is unset */
  readonly newValue?: string;
  /** Why it is refused or destructive. */
  readonly reason: string;
  /** How to get the change in anyway. */
  readonly waysOut: string[];
  /** The acknowledgement's reason, when the finding was acknowledged. @default - not acknowledged: it blocks */
  readonly acknowledgedReason?: string;
}

/** The changes of one file. */
export interface FilePlan {
  /** Name of the file. */
  readonly fileName: string;
  /** Additions, changes and removals of objects in this file, in file order (removals last). */
  readonly changes: ObjectChange[];
}

/** The difference between the previous and the next synthesis. */
export interface ChangePlan {
  /** Files with changes, in the next synthesis' order, then files that are gone. */
  readonly files: FilePlan[];
  /** Objects the synthesis adds. */
  readonly added: number;
  /** Objects the synthesis changes. */
  readonly changed: number;
  /** Objects the synthesis removes. */
  readonly removed: number;
  /** Objects that stay as they are. */
  readonly unchanged: number;
  /** Every finding, acknowledged or not. */
  readonly findings: ChangeFinding[];
  /** The findings without an acknowledgement: the synthesis must not be written while there are any. */
  readonly blocking: ChangeFinding[];
  /** Acknowledgements that matched no finding: remove them once the replacement is done. */
  readonly unusedAcknowledgements: ChangeAcknowledgement[];
}

/** Options of {@link ChangeGuard.formatPlan}. */
export interface FormatPlanOptions {
  /** Only the summary line and the findings, not every changed object. @default false */
  readonly quiet?: boolean;
}

const ACK_METADATA = 'cdk8s-workloads.dev/acknowledge-replacement';

function groupKind(ref: { apiVersion: string; kind: string }): string {
  return `${groupOf(ref.apiVersion)}/${ref.kind}`;
}

function refOf(doc: Doc): ObjectRef {
  const apiVersion = String(doc.apiVersion);
  const kind = String(doc.kind);
  const namespace = isClusterScoped(apiVersion, kind) ? undefined : doc.metadata?.namespace;
  return { apiVersion, kind, name: String(doc.metadata?.name), ...(namespace ? { namespace } : {}) };
}

function keyOf(ref: ObjectRef): string {
  const ns = isClusterScoped(ref.apiVersion, ref.kind) ? '' : ref.namespace ?? '';
  return `${groupKind(ref)}|${ns}|${ref.name}`;
}

/** `apps/v1 StatefulSet data/db`. */
function describe(ref: ObjectRef): string {
  return `${ref.apiVersion} ${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

/** `statefulset db -n data`, for kubectl commands. */
function kubectlAddress(ref: ObjectRef): string {
  return `${ref.kind.toLowerCase()} ${ref.name}${ref.namespace ? ` -n ${ref.namespace}` : ''}`;
}

function json(value: unknown): string | undefined {
  return value === undefined ? undefined : JSON.stringify(value);
}

interface Located {
  readonly doc: Doc;
  readonly fileName: string;
  readonly ref: ObjectRef;
}

function index(files: readonly ManifestFile[]): Map<string, Located> {
  const map = new Map<string, Located>();
  for (const file of files) {
    for (const doc of file.objects ?? []) {
      if (!doc || typeof doc !== 'object' || !doc.kind || !doc.metadata?.name) continue;
      const ref = refOf(doc);
      const key = keyOf(ref);
      if (!map.has(key)) map.set(key, { doc, fileName: file.fileName, ref });
    }
  }
  return map;
}

/** The top-level fields that differ (`spec.replicas`, `metadata.labels`), for the plan. */
function changedFields(previous: Doc, next: Doc): string[] {
  const fields = new Set<string>();
  for (const d of diffLeaves(previous, next)) {
    const parts = d.path.replace(/\[\d+\].*$/, '').split('.');
    fields.add(parts.slice(0, parts[0] === 'spec' || parts[0] === 'metadata' ? 2 : 1).join('.'));
  }
  return [...fields];
}

/** Removals that destroy data. */
function dataLoss(removed: Located, previous: Map<string, Located>): Omit<ChangeFinding, 'acknowledgedReason'>[] {
  const { doc, ref, fileName } = removed;
  const gk = groupKind(ref);
  const keep = `keep the ${ref.kind} in the app`;
  const finding = (field: string, oldValue: unknown, reason: string, waysOut: string[]) => [{
    resource: ref, fileName, findingType: FindingType.DATA_LOSS, field, oldValue: json(oldValue), reason, waysOut,
  }];
  if (gk === 'apps/StatefulSet' && doc.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted === 'Delete') {
    const ordinals = statefulOrdinals(doc.spec?.ordinals?.start ?? 0, doc.spec.replicas ?? 1);
    const claims = (doc.spec.volumeClaimTemplates ?? []).flatMap((t: Doc) => ordinals.map((o) => statefulClaimName(t.metadata?.name, ref.name, o)));
    return finding('spec.persistentVolumeClaimRetentionPolicy.whenDeleted', 'Delete',
      `deleting the StatefulSet deletes its claims${claims.length ? ` (${claims.join(', ')})` : ''} and, with a Delete reclaim policy, their volumes`,
      [keep, 'first set persistentVolumeClaimRetentionPolicy.whenDeleted to Retain and sync, then remove the StatefulSet']);
  }
  if (gk === '/Namespace') {
    const inside = [...previous.values()].filter((o) => o.ref.namespace === ref.name).map((o) => `${o.ref.kind} ${o.ref.name}`);
    return finding('metadata.name', ref.name,
      `deleting a Namespace deletes everything in it${inside.length ? `, including ${inside.join(', ')}` : ''}, also objects this app does not manage`,
      [keep, 'move what must survive to another namespace first']);
  }
  if (gk === '/PersistentVolume' && ['Delete', 'Recycle'].includes(doc.spec?.persistentVolumeReclaimPolicy)) {
    return finding('spec.persistentVolumeReclaimPolicy', doc.spec.persistentVolumeReclaimPolicy,
      `the volume's reclaim policy is ${doc.spec.persistentVolumeReclaimPolicy}: its data is deleted`,
      [keep, 'first set persistentVolumeReclaimPolicy to Retain and sync, then remove it']);
  }
  if (gk === '/PersistentVolumeClaim') {
    const volumes = [...previous.values()].filter((o) => o.ref.kind === 'PersistentVolume');
    const bound = volumes.find((v) => v.ref.name === doc.spec?.volumeName
      || (v.doc.spec?.claimRef?.name === ref.name && (v.doc.spec?.claimRef?.namespace ?? '') === (ref.namespace ?? '')));
    let policy: string | undefined;
    if (bound) {
      policy = bound.doc.spec?.persistentVolumeReclaimPolicy ?? 'Retain'; // static volumes default to Retain
    } else if (doc.spec?.storageClassName !== '') {
      const cls = [...previous.values()].find((o) => o.ref.kind === 'StorageClass' && o.ref.name === doc.spec?.storageClassName);
      policy = cls?.doc.reclaimPolicy ?? 'Delete'; // dynamically provisioned volumes take their class's policy
    }
    if (policy === 'Delete' || policy === 'Recycle') {
      return finding('spec', undefined, `deleting the claim releases its volume, whose reclaim policy is ${policy}: the data is deleted`,
        [keep, "first set the volume's persistentVolumeReclaimPolicy to Retain (kubectl patch pv), then remove the claim"]);
    }
  }
  return [];
}

function validateAcknowledgements(acks: readonly ChangeAcknowledgement[]): void {
  acks.forEach((a, i) => {
    ensure('change guard', `acknowledgements[${i}].reason`, a.reason, statedReason);
    for (const field of ['apiVersion', 'kind', 'name'] as const) {
      if (typeof a[field] !== 'string' || a[field].length === 0) {
        throw WorkloadsError.input('change guard', `acknowledgements[${i}].${field}`, a[field], { reason: 'is required to name the object', fix: 'give apiVersion, kind, name (and namespace for namespaced objects)' });
      }
    }
  });
}

/** Compares two syntheses; see {@link ChangeGuard.planChanges}. @internal */
export function planChanges(previous: readonly ManifestFile[], next: readonly ManifestFile[], options: PlanChangesOptions = {}): ChangePlan {
  const acks = options.acknowledgements ?? [];
  validateAcknowledgements(acks);
  const before = index(previous);
  const after = index(next);
  const nextObjects = [...after.values()].map((o) => o.doc);

  const byFile = new Map<string, ObjectChange[]>();
  const add = (change: ObjectChange) => {
    if (!byFile.has(change.fileName)) byFile.set(change.fileName, []);
    byFile.get(change.fileName)!.push(change);
  };
  const raw: Omit<ChangeFinding, 'acknowledgedReason'>[] = [];
  let added = 0;
  let changed = 0;
  let removed = 0;
  let unchanged = 0;

  for (const [key, now] of after) {
    const was = before.get(key);
    if (!was) {
      added++;
      add({ resource: now.ref, action: ObjectAction.ADD, fileName: now.fileName, fields: [] });
      continue;
    }
    const fields = changedFields(was.doc, now.doc);
    const moved = was.fileName !== now.fileName;
    if (fields.length === 0 && !moved) {
      unchanged++;
      continue;
    }
    changed++;
    add({ resource: now.ref, action: ObjectAction.CHANGE, fileName: now.fileName, ...(moved ? { previousFileName: was.fileName } : {}), fields });
    const rule = UPDATE_RULES[groupKind(now.ref)] as (typeof UPDATE_RULES)[string] | undefined;
    const ctx: RuleContext = { nextObjects, address: kubectlAddress(now.ref) };
    for (const r of rule && fields.length > 0 ? rule(was.doc, now.doc, ctx) : []) {
      raw.push({
        resource: now.ref,
        fileName: now.fileName,
        findingType: FindingType.IMMUTABLE_FIELD,
        field: r.field,
        oldValue: json(r.oldValue),
        newValue: json(r.newValue),
        reason: r.reason,
        waysOut: r.waysOut,
      });
    }
  }
  for (const [key, was] of before) {
    if (after.has(key)) continue;
    removed++;
    add({ resource: was.ref, action: ObjectAction.REMOVE, fileName: was.fileName, fields: [] });
    raw.push(...dataLoss(was, before));
  }

  const used = new Set<number>();
  const findings: ChangeFinding[] = raw.map((f) => {
    const i = acks.findIndex((a) => keyOf(a) === keyOf(f.resource));
    if (i < 0) return f;
    used.add(i);
    return { ...f, acknowledgedReason: acks[i].reason };
  });
  const order = [...new Set([...next.map((f) => f.fileName), ...previous.map((f) => f.fileName)])];
  const files = order.filter((name) => byFile.has(name)).map((fileName) => ({
    fileName,
    changes: [...byFile.get(fileName)!].sort((a, b) => Number(a.action === ObjectAction.REMOVE) - Number(b.action === ObjectAction.REMOVE)),
  }));
  return {
    files,
    added,
    changed,
    removed,
    unchanged,
    findings,
    blocking: findings.filter((f) => f.acknowledgedReason === undefined),
    unusedAcknowledgements: acks.filter((_, i) => !used.has(i)),
  };
}

const MARK: Record<ObjectAction, string> = { [ObjectAction.ADD]: '+', [ObjectAction.CHANGE]: '~', [ObjectAction.REMOVE]: '-' };

function formatFinding(f: ChangeFinding, withWaysOut: boolean): string[] {
  const values = f.findingType === FindingType.IMMUTABLE_FIELD ? `: ${f.oldValue ?? '(unset)'} -> ${f.newValue ?? '(unset)'}` : '';
  const lines = [`  ! ${describe(f.resource)} (${f.fileName}) ${f.field}${values}`, `      ${f.reason}`];
  if (f.acknowledgedReason !== undefined) {
    lines.push(`      acknowledged: ${f.acknowledgedReason}`);
  }
  if (withWaysOut) {
    lines.push('      ways out:', ...f.waysOut.map((w) => `        - ${w}`));
  }
  return lines;
}

/** Formats a plan; see {@link ChangeGuard.formatPlan}. @internal */
export function formatPlan(plan: ChangePlan, options: FormatPlanOptions = {}): string {
  const lines: string[] = [];
  const total = plan.added + plan.changed + plan.removed;
  lines.push(total === 0
    ? `No changes (${plan.unchanged} objects unchanged).`
    : `Plan: ${plan.added} to add, ${plan.changed} to change, ${plan.removed} to remove (${plan.unchanged} unchanged).`);
  const flagged = new Set(plan.findings.map((f) => keyOf(f.resource)));
  if (!options.quiet) {
    for (const file of plan.files) {
      lines.push('', file.fileName);
      for (const c of file.changes) {
        const fields = c.fields.length ? ` (${c.fields.join(', ')})` : '';
        const moved = c.previousFileName ? ` (moved from ${c.previousFileName})` : '';
        lines.push(`  ${flagged.has(keyOf(c.resource)) ? '!' : ' '} ${MARK[c.action]} ${describe(c.resource)}${moved}${fields}`);
      }
    }
  }
  const immutable = plan.blocking.filter((f) => f.findingType === FindingType.IMMUTABLE_FIELD);
  const loss = plan.blocking.filter((f) => f.findingType === FindingType.DATA_LOSS);
  if (immutable.length) {
    lines.push('', `${immutable.length} change(s) the API server refuses (every sync would fail until the object is replaced):`);
    for (const f of immutable) lines.push(...formatFinding(f, true));
  }
  if (loss.length) {
    lines.push('', `${loss.length} removal(s) that destroy data:`);
    for (const f of loss) lines.push(...formatFinding(f, true));
  }
  const acknowledged = plan.findings.filter((f) => f.acknowledgedReason !== undefined);
  if (acknowledged.length) {
    lines.push('', `${acknowledged.length} acknowledged (replace or remove the objects as planned):`);
    for (const f of acknowledged) lines.push(...formatFinding(f, !options.quiet));
  }
  if (plan.unusedAcknowledgements.length) {
    lines.push('', 'Acknowledgements that matched nothing (remove them once the replacement is done):');
    for (const a of plan.unusedAcknowledgements) lines.push(`  ? ${describe(a)}: ${a.reason}`);
  }
  return lines.join('\n') + '\n';
}

/**
 * Catches, before anything is written, the changes a Kubernetes 1.28 API server refuses (immutable fields
 * of StatefulSets, workload selectors, Job templates, Service cluster IPs, PersistentVolume sources, claims,
 * StorageClasses, binding roleRefs, immutable ConfigMaps and Secrets, PriorityClasses) and the removals that
 * destroy data, by comparing a synthesis with the previous one. Pure: no file is read or written.
 */
export class ChangeGuard {
  /**
   * Compares the previous synthesis (the files in the GitOps directory, parsed) with the next one.
   * Objects match by API group, kind, namespace and name, in whatever file they are.
   */
  public static planChanges(previous: ManifestFile[], next: ManifestFile[], options: PlanChangesOptions = {}): ChangePlan {
    return planChanges(previous, next, options);
  }

  /** A short `terraform plan`-like text: objects added (+), changed (~) and removed (-) per file, findings (!) with ways out. */
  public static formatPlan(plan: ChangePlan, options: FormatPlanOptions = {}): string {
    return formatPlan(plan, options);
  }

  /**
   * The error text for a plan's blocking findings, or `undefined` when nothing blocks. Callers fail the
   * synthesis with it and write nothing.
   */
  public static blockingError(plan: ChangePlan): string | undefined {
    if (plan.blocking.length === 0) return undefined;
    const lines = [`The change guard stopped the synthesis: ${plan.blocking.length} finding(s); nothing was written.`];
    for (const f of plan.blocking) lines.push(...formatFinding(f, true));
    lines.push('To go ahead on purpose, acknowledge each object with a reason: ChangeGuard.acknowledgeReplacement(apiObject, { reason }), or the acknowledgements option:');
    const objects = new Map(plan.blocking.map((f) => [keyOf(f.resource), f.resource]));
    for (const ref of objects.values()) lines.push(`  ${JSON.stringify({ ...ref, reason: '<why, and how the replacement is done>' })}`);
    return lines.join('\n');
  }

  /**
   * Records in the construct tree that `apiObject`'s replacement (or removal) is intended. Nothing is rendered;
   * {@link ChangeGuard.acknowledgementsIn} collects the acknowledgements for {@link ChangeGuard.planChanges}.
   * Remove it once the replacement is done (the plan lists acknowledgements that matched nothing).
   */
  public static acknowledgeReplacement(apiObject: ApiObject, options: AcknowledgeReplacementOptions): void {
    const reason = ensure(apiObject, 'acknowledgeReplacement.reason', options?.reason, statedReason);
    if (typeof reason === 'string') apiObject.node.addMetadata(ACK_METADATA, reason.trim());
  }

  /** Every acknowledgement recorded with {@link ChangeGuard.acknowledgeReplacement} under `scope`. */
  public static acknowledgementsIn(scope: IConstruct): ChangeAcknowledgement[] {
    const out: ChangeAcknowledgement[] = [];
    for (const c of scope.node.findAll()) {
      if (!ApiObject.isApiObject(c)) continue;
      for (const entry of c.node.metadata.filter((m) => m.type === ACK_METADATA)) {
        const namespace = c.metadata.namespace;
        out.push({ apiVersion: c.apiVersion, kind: c.kind, name: c.name, ...(namespace ? { namespace } : {}), reason: String(entry.data) });
      }
    }
    return out;
  }
}
