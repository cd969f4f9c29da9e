import * as fs from 'fs';
import * as path from 'path';
import { canonicalQuantity } from './quantity';

/** A field of a manifest that the Kubernetes 1.28 OpenAPI schema does not allow. */
export interface SchemaViolation {
  /** JSON path of the field, e.g. `spec.template.spec.containers[0].foo`. */
  readonly path: string;
  readonly message: string;
}

interface JsonSchema {
  readonly '$ref'?: string;
  readonly 'type'?: string;
  readonly 'properties'?: Record<string, JsonSchema>;
  readonly 'additionalProperties'?: JsonSchema | boolean;
  readonly 'items'?: JsonSchema;
  readonly 'required'?: string[];
  readonly 'enum'?: unknown[];
  readonly 'oneOf'?: JsonSchema[];
  readonly 'x-kubernetes-preserve-unknown-fields'?: boolean;
  readonly 'x-kubernetes-group-version-kind'?: Array<{ group: string; version: string; kind: string }>;
}

// The OpenAPI definitions of Kubernetes v1.28.0 (the input of `cdk8s import k8s@1.28.0`), vendored in imports/.
const SCHEMA_FILE = path.join(__dirname, '..', '..', 'imports', 'k8s-1.28.0-definitions.json');
let definitions: Record<string, JsonSchema> | undefined;
let byKind: Map<string, JsonSchema> | undefined;

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

/** True when Kubernetes 1.28 serves this apiVersion and kind. */
export function isKnownKind(apiVersion: string, kind: string): boolean {
  return load().byKind.has(`${apiVersion}/${kind}`);
}

/**
 * Checks a manifest the way a kube-apiserver with strict field validation does: unknown fields,
 * wrong types, missing required fields and enum values, against the Kubernetes 1.28 schema.
 * (kubernetes-models' validators accept unknown fields; the API server does not.)
 */
export function strictSchemaViolations(manifest: Record<string, unknown>): SchemaViolation[] {
  const kinds = load().byKind;
  const apiVersion = String(manifest.apiVersion);
  const kind = String(manifest.kind);
  const schema = kinds.get(`${apiVersion}/${kind}`);
  if (!schema) return [{ path: 'apiVersion', message: `${apiVersion} ${kind} is not served by Kubernetes 1.28` }];
  const violations: SchemaViolation[] = [];
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

function walk(value: unknown, rawSchema: JsonSchema, at: string, out: SchemaViolation[]): void {
  const schema = resolve(rawSchema);
  if (schema.oneOf) {
    if (!schema.oneOf.some((s) => !s.type || matchesType(value, s.type))) {
      out.push({ path: at, message: `must be one of ${schema.oneOf.map((s) => s.type).join(' or ')}, got ${typeOf(value)}` });
    }
    return;
  }
  if (schema.type && !matchesType(value, schema.type)) {
    out.push({ path: at, message: `must be ${schema.type}, got ${typeOf(value)}` });
    return;
  }
  if (schema.enum && !schema.enum.includes(value)) {
    out.push({ path: at, message: `must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}` });
  }
  if (Array.isArray(value)) {
    if (schema.items) value.forEach((item, i) => walk(item, schema.items!, `${at}[${i}]`, out));
    return;
  }
  if (typeOf(value) !== 'object' || schema['x-kubernetes-preserve-unknown-fields']) return;
  const object = value as Record<string, unknown>;
  for (const required of schema.required ?? []) {
    if (object[required] === undefined) out.push({ path: join(at, required), message: 'is required' });
  }
  for (const [key, child] of Object.entries(object)) {
    const prop = schema.properties?.[key];
    if (prop) {
      walk(child, prop, join(at, key), out);
    } else if (typeof schema.additionalProperties === 'object') {
      walk(child, schema.additionalProperties, join(at, key), out);
    } else if (schema.additionalProperties !== true) {
      out.push({ path: join(at, key), message: 'is not a field of this object (unknown field)' });
    }
  }
}

function join(at: string, key: string): string {
  return at ? `${at}.${key}` : key;
}

const QUANTITY_REF = '#/definitions/io.k8s.apimachinery.pkg.api.resource.Quantity';

/**
 * What the API server would rewrite in a manifest, so that a GitOps tool comparing texts would see a
 * difference forever: empty lists and empty maps (labels, annotations, requests, ...), which the server
 * drops, and quantities not in the canonical form the server stores (`1000m` for `1`).
 * Empty objects of struct type (`emptyDir: {}`, `podSelector: {}`) mean something and are kept by the
 * server, so they are not reported.
 */
export function serverRewrites(manifest: Record<string, unknown>): SchemaViolation[] {
  const schema = load().byKind.get(`${String(manifest.apiVersion)}/${String(manifest.kind)}`);
  const out: SchemaViolation[] = [];
  if (schema) rewrites(manifest, schema, '', out);
  return out;
}

function rewrites(value: unknown, rawSchema: JsonSchema, at: string, out: SchemaViolation[]): void {
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
