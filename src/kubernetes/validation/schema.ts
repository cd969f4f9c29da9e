// Layer kubernetes/: what Kubernetes 1.28 accepts (validation, metadata keys, update rules, rendering). Imports nothing of ours.
import * as fs from 'fs';
import * as path from 'path';
import { ManifestProblem } from './errors';
import { canonicalQuantity } from './quantity';
import { quantity } from './rules';

/** A violation and whether it is an unknown field (what only strict field validation rejects). */
export interface SchemaFinding extends ManifestProblem {
  /** True for a field the schema does not know (only strict field validation rejects it). */
  readonly unknownField: boolean;
}
type Found = SchemaFinding;

interface JsonSchema {
  readonly '$ref'?: string;
  readonly 'type'?: string;
  readonly 'properties'?: Record<string, JsonSchema>;
  readonly 'additionalProperties'?: JsonSchema | boolean;
  readonly 'items'?: JsonSchema;
  readonly 'required'?: string[];
  readonly 'enum'?: unknown[];
  readonly 'format'?: string;
  readonly 'oneOf'?: JsonSchema[];
  readonly 'x-kubernetes-preserve-unknown-fields'?: boolean;
  readonly 'x-kubernetes-group-version-kind'?: Array<{ group: string; version: string; kind: string }>;
}

// The OpenAPI definitions of Kubernetes v1.28.0 (the input of `cdk8s import k8s@1.28.0`), vendored in imports/.
// The vendored 1.28 definitions without descriptions (imports/README.md): the file the npm package ships.
const SCHEMA_FILE = path.join(__dirname, '..', '..', '..', 'imports', 'k8s-1.28.0-schema.json');
let definitions: Record<string, JsonSchema> | undefined;
let byKind: Map<string, JsonSchema> | undefined;
let servedGroups: Set<string> | undefined;

function load(): { definitions: Record<string, JsonSchema>; byKind: Map<string, JsonSchema> } {
  if (!definitions || !byKind) {
    definitions = (JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8')) as { definitions: Record<string, JsonSchema> }).definitions;
    byKind = new Map();
    for (const schema of Object.values(definitions)) {
      for (const gvk of schema['x-kubernetes-group-version-kind'] ?? []) {
        byKind.set(`${gvk.group ? gvk.group + '/' : ''}${gvk.version}/${gvk.kind}`, schema);
      }
    }
  }
  return { definitions, byKind };
}

/** True when some API version of this group is served by Kubernetes 1.28 (`''` is the core group). */
export function isServedGroup(group: string): boolean {
  if (!servedGroups) {
    servedGroups = new Set();
    for (const [name, schema] of Object.entries(load().definitions)) {
      // meta/v1 DeleteOptions, WatchEvent, ... list every group that ever existed (extensions, ...): skip them.
      if (name.startsWith('io.k8s.apimachinery.')) continue;
      for (const gvk of schema['x-kubernetes-group-version-kind'] ?? []) servedGroups.add(gvk.group);
    }
  }
  return servedGroups.has(group);
}

/**
 * Checks a manifest the way a kube-apiserver with strict field validation does: unknown fields,
 * wrong types, missing required fields, enum values and formats, against the Kubernetes 1.28 schema.
 * (kubernetes-models' validators accept unknown fields; the API server does not.)
 */
export function strictSchemaViolations(manifest: Record<string, unknown>): ManifestProblem[] {
  return check(manifest).map(({ path: at, message }) => ({ path: at, message }));
}

/**
 * The same check without unknown fields: the served apiVersion and kind, types, required fields, enum
 * values and formats (int32/int64 ranges, base64 bytes, date-times, quantities), i.e. what the
 * policy plugin's `schema` rule reports. Unknown fields are the `strict-fields` rule's.
 */
export function schemaTypeViolations(manifest: Record<string, unknown>): ManifestProblem[] {
  return check(manifest).filter((v) => !v.unknownField).map(({ path: at, message }) => ({ path: at, message }));
}

/**
 * One walk for both checks above: every violation, each marked as an unknown field or not. The policy's `schema`
 * and `strict-fields` rules split one result instead of walking the manifest twice.
 */
export function schemaFindings(manifest: Record<string, unknown>): SchemaFinding[] {
  return check(manifest);
}

function check(manifest: Record<string, unknown>): Found[] {
  const kinds = load().byKind;
  const apiVersion = String(manifest.apiVersion);
  const kind = String(manifest.kind);
  const schema = kinds.get(`${apiVersion}/${kind}`);
  if (!schema) return [{ path: 'apiVersion', message: `${apiVersion} ${kind} is not served by Kubernetes 1.28`, unknownField: false }];
  const violations: Found[] = [];
  walk(manifest, schema, '', violations);
  return violations;
}

function resolve(schema: JsonSchema): JsonSchema {
  let s = schema;
  while (s.$ref) s = load().definitions[s.$ref.replace('#/definitions/', '')];
  return s;
}

function typeOf(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function matchesType(value: unknown, type: string): boolean {
  const actual = typeOf(value);
  return actual === type || (type === 'number' && actual === 'integer');
}

const QUANTITY_REF = '#/definitions/io.k8s.apimachinery.pkg.api.resource.Quantity';
const INT_RANGE: Record<string, [number, number]> = {
  int32: [-(2 ** 31), 2 ** 31 - 1],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER], // beyond these, JSON numbers lose precision anyway
};
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
// RFC 3339 as Go's time.Time unmarshals it (metav1.Time).
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/** What the API server's decoder rejects in a value of the right JSON type. */
function formatViolation(value: unknown, schema: JsonSchema, ref: string | undefined): string | undefined {
  if (ref === QUANTITY_REF && typeof value === 'string') return quantity(value)?.reason;
  const range = schema.format ? INT_RANGE[schema.format] : undefined;
  if (range && typeof value === 'number' && (value < range[0] || value > range[1])) {
    return `must fit ${schema.format} (${range[0]} to ${range[1]}), got ${value}`;
  }
  if (schema.format === 'byte' && typeof value === 'string' && !BASE64.test(value)) return 'must be base64-encoded bytes';
  if (schema.format === 'date-time' && typeof value === 'string' && !DATE_TIME.test(value)) {
    return 'must be an RFC 3339 date-time, e.g. "2026-01-31T12:00:00Z"';
  }
  return undefined;
}

/**
 * Numeric ranges the API server's validation (pkg/apis/<group>/validation) enforces beyond the schema's int32/int64, by
 * `<definition>.<field>` of the 1.28 OpenAPI schema: the rule holds wherever the type appears, whatever produced it.
 */
const FIELD_RANGES: Record<string, [number, number]> = (() => {
  const nonNegative: [number, number] = [0, 2 ** 31 - 1];
  const positive: [number, number] = [1, 2 ** 31 - 1];
  const fileMode: [number, number] = [0, 0o777];
  const ranges: Record<string, [number, number]> = {};
  const set = (range: [number, number], ...fields: string[]) => fields.forEach((f) => { ranges[f] = range; });
  set(nonNegative,
    'DeploymentSpec.replicas', 'DeploymentSpec.minReadySeconds', 'DeploymentSpec.revisionHistoryLimit', 'DeploymentSpec.progressDeadlineSeconds',
    'StatefulSetSpec.replicas', 'StatefulSetSpec.minReadySeconds', 'StatefulSetSpec.revisionHistoryLimit', 'StatefulSetOrdinals.start',
    'RollingUpdateStatefulSetStrategy.partition', 'ReplicaSetSpec.replicas', 'ReplicaSetSpec.minReadySeconds',
    'DaemonSetSpec.minReadySeconds', 'DaemonSetSpec.revisionHistoryLimit',
    'JobSpec.parallelism', 'JobSpec.completions', 'JobSpec.backoffLimit', 'JobSpec.ttlSecondsAfterFinished', 'JobSpec.backoffLimitPerIndex', 'JobSpec.maxFailedIndexes',
    'CronJobSpec.startingDeadlineSeconds', 'CronJobSpec.successfulJobsHistoryLimit', 'CronJobSpec.failedJobsHistoryLimit',
    'Probe.initialDelaySeconds', 'Probe.timeoutSeconds', 'Probe.periodSeconds', 'Probe.successThreshold', 'Probe.failureThreshold',
    'PodSecurityContext.runAsUser', 'PodSecurityContext.runAsGroup', 'PodSecurityContext.fsGroup', 'SecurityContext.runAsUser', 'SecurityContext.runAsGroup',
    'PodSpec.terminationGracePeriodSeconds', 'ScaleSpec.replicas');
  set([1, Number.MAX_SAFE_INTEGER], 'JobSpec.activeDeadlineSeconds');
  set(positive, 'PodSpec.activeDeadlineSeconds', 'Probe.terminationGracePeriodSeconds',
    'HorizontalPodAutoscalerSpec.minReplicas', 'HorizontalPodAutoscalerSpec.maxReplicas');
  set([1, 65535], 'ContainerPort.containerPort', 'ServicePort.port', 'EndpointPort.port');
  set([0, 65535], 'ContainerPort.hostPort', 'ServicePort.nodePort', 'ServiceSpec.healthCheckNodePort');
  set([1, 86400], 'ClientIPConfig.timeoutSeconds');
  set([600, 2 ** 32], 'ServiceAccountTokenProjection.expirationSeconds');
  set(fileMode, 'SecretVolumeSource.defaultMode', 'ConfigMapVolumeSource.defaultMode', 'DownwardAPIVolumeSource.defaultMode',
    'ProjectedVolumeSource.defaultMode', 'KeyToPath.mode', 'DownwardAPIVolumeFile.mode');
  return ranges;
})();

/** The definitions that have a field in FIELD_RANGES: only their objects look ranges up. */
const TYPES_WITH_RANGES: ReadonlySet<string> = new Set(Object.keys(FIELD_RANGES).map((k) => k.slice(0, k.indexOf('.'))));

/** Quantities the API server requires to be non-negative: every resource amount (requests, limits, capacity, quotas). */
function negativeQuantity(value: unknown, ref: string | undefined): string | undefined {
  return ref === QUANTITY_REF && typeof value === 'string' && value.trim().startsWith('-') ? 'must be greater than or equal to 0' : undefined;
}

function rangeViolation(owner: string | undefined, key: string, value: unknown, prop: JsonSchema | undefined): string | undefined {
  const range = owner ? FIELD_RANGES[`${owner}.${key}`] : undefined;
  if (!range || typeof value !== 'number') return undefined;
  // Beyond an int32 field's range the format rule already says so, once.
  if (prop && resolve(prop).format === 'int32' && (value > 2 ** 31 - 1 || value < -(2 ** 31))) return undefined;
  const show = (n: number) => (owner && /Mode$|\.mode$/.test(`${owner}.${key}`) && n > 0 ? `0${n.toString(8)} (${n})` : String(n));
  return value < range[0] || value > range[1] ? `must be from ${show(range[0])} to ${show(range[1])}, got ${value}` : undefined;
}

/** A schema node compiled into a check of one value: what `walk()` did, with every schema lookup done once. */
type Validator = (value: unknown, at: string, out: Found[]) => void;

// One validator per schema node, built on first use (recursive definitions resolve lazily): the walk never
// resolves a $ref, looks up a property schema or re-reads a format again after the first object of a kind.
const validators = new Map<JsonSchema, Validator>();

function validatorFor(rawSchema: JsonSchema): Validator {
  let validator = validators.get(rawSchema);
  if (!validator) {
    validator = compile(rawSchema);
    validators.set(rawSchema, validator);
  }
  return validator;
}

function walk(value: unknown, rawSchema: JsonSchema, at: string, out: Found[]): void {
  validatorFor(rawSchema)(value, at, out);
}

function compile(rawSchema: JsonSchema): Validator {
  const schema = resolve(rawSchema);
  const ref = rawSchema.$ref;
  const format = schema.format;
  const checksFormat = ref === QUANTITY_REF || (format !== undefined && (INT_RANGE[format] !== undefined || format === 'byte' || format === 'date-time'));
  const formatCheck = (value: unknown, at: string, out: Found[]) => {
    const bad = formatViolation(value, schema, ref) ?? negativeQuantity(value, ref);
    if (bad) out.push({ path: at, message: bad, unknownField: false });
  };
  // The ranges of this type's fields (FIELD_RANGES), by its short definition name.
  const named = ref ? ref.slice(ref.lastIndexOf('.') + 1) : topLevelName(schema);
  const owner = named !== undefined && TYPES_WITH_RANGES.has(named) ? named : undefined;
  if (schema.oneOf) {
    const alternatives = schema.oneOf;
    const typeList = alternatives.map((s) => s.type).join(' or ');
    return (value, at, out) => {
      if (!alternatives.some((s) => !s.type || matchesType(value, s.type))) {
        out.push({ path: at, message: `must be one of ${typeList}, got ${typeOf(value)}`, unknownField: false });
      } else if (checksFormat) {
        formatCheck(value, at, out);
      }
    };
  }
  const type = schema.type;
  const allowed = schema.enum;
  const enumMessage = allowed ? `must be one of ${allowed.map((e) => JSON.stringify(e)).join(', ')}` : '';
  const required = schema.required ?? [];
  const properties = schema.properties;
  const additional = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
  const openEnded = schema.additionalProperties === true;
  const preserveUnknown = schema['x-kubernetes-preserve-unknown-fields'] === true;
  const items = schema.items;
  const children = new Map<string, Validator | null>(); // null: not a field of this object
  const childFor = (key: string): Validator | null => {
    let child = children.get(key);
    if (child === undefined) {
      const prop = properties && Object.prototype.hasOwnProperty.call(properties, key) ? properties[key] : additional;
      child = prop ? validatorFor(prop) : null;
      children.set(key, child);
    }
    return child;
  };
  return (value, at, out) => {
    if (type && !matchesType(value, type)) {
      out.push({ path: at, message: `must be ${type}, got ${typeOf(value)}`, unknownField: false });
      return;
    }
    if (checksFormat) formatCheck(value, at, out);
    if (allowed && !allowed.includes(value)) out.push({ path: at, message: enumMessage, unknownField: false });
    if (Array.isArray(value)) {
      if (items) {
        const item = validatorFor(items);
        value.forEach((v, i) => item(v, `${at}[${i}]`, out)); // forEach: holes are skipped, as before
      }
      return;
    }
    if (value === null || typeof value !== 'object' || preserveUnknown) return;
    const object = value as Record<string, unknown>;
    for (const r of required) {
      if (object[r] === undefined) out.push({ path: join(at, r), message: 'is required', unknownField: false });
    }
    for (const key of Object.keys(object)) {
      const child = childFor(key);
      const outOfRange = owner && rangeViolation(owner, key, object[key], properties?.[key]);
      if (outOfRange) out.push({ path: join(at, key), message: outOfRange, unknownField: false });
      if (child) child(object[key], join(at, key), out);
      else if (!openEnded) out.push({ path: join(at, key), message: 'is not a field of this object (unknown field)', unknownField: true });
    }
  };
}

/** The short definition name of a kind's top-level schema (`Deployment`), read from its group-version-kind. */
function topLevelName(schema: JsonSchema): string | undefined {
  return schema['x-kubernetes-group-version-kind']?.[0]?.kind;
}

function join(at: string, key: string): string {
  return at ? `${at}.${key}` : key;
}

/**
 * What the API server would rewrite in a manifest, so that a GitOps tool comparing texts would see a
 * difference forever: empty lists and empty maps (labels, annotations, requests, ...), which the server
 * drops, and quantities not in the canonical form the server stores (`1000m` for `1`).
 * Empty objects of struct type (`emptyDir: {}`, `podSelector: {}`) mean something and are kept by the
 * server, so they are not reported.
 */
export function serverRewrites(manifest: Record<string, unknown>): ManifestProblem[] {
  const schema = load().byKind.get(`${String(manifest.apiVersion)}/${String(manifest.kind)}`);
  const out: ManifestProblem[] = [];
  if (schema) rewrites(manifest, schema, '', out);
  return out;
}

function rewrites(value: unknown, rawSchema: JsonSchema, at: string, out: ManifestProblem[]): void {
  if (rawSchema.$ref === QUANTITY_REF) {
    const text = String(value);
    let stored: string | undefined;
    try {
      stored = canonicalQuantity(text);
    } catch {
      return; // not a quantity: strictSchemaViolations and the field rules report it
    }
    if (typeof value !== 'string' || stored !== text) out.push({ path: at, message: `is stored by the API server as "${stored}"; write it so` });
    return;
  }
  const schema = resolve(rawSchema);
  if (Array.isArray(value)) {
    if (value.length === 0) out.push({ path: at, message: 'is an empty list, which the API server drops; leave it out' });
    if (schema.items) value.forEach((item, i) => rewrites(item, schema.items!, `${at}[${i}]`, out));
    return;
  }
  if (typeOf(value) !== 'object' || schema['x-kubernetes-preserve-unknown-fields']) return;
  const object = value as Record<string, unknown>;
  const isMap = !schema.properties && typeof schema.additionalProperties === 'object';
  if (isMap && Object.keys(object).length === 0) out.push({ path: at, message: 'is an empty map, which the API server drops; leave it out' });
  for (const [key, child] of Object.entries(object)) {
    // A required field has no `omitempty` in the Go type: the server writes it even when empty (onPodConditions: []).
    if (Array.isArray(child) && child.length === 0 && schema.required?.includes(key)) continue;
    const prop = schema.properties?.[key] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
    if (prop) rewrites(child, prop, join(at, key), out);
  }
}
