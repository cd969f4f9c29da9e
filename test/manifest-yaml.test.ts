// The manifest emitter (src/gitops/manifest-yaml.ts) against cdk8s' own Yaml.stringify: byte-identical on the
// committed dist/, on a random mix of every rule's edge cases, and it writes dist/'s documents itself (no fallback).
import * as fs from 'fs';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import { parseYamlDocuments } from './util';
import { manifestYaml, manifestYamlPath } from '../src/gitops/manifest-yaml';

const DIST = path.join(__dirname, '..', 'dist');

// Strings on both sides of every quoting rule of YAML 1.1 plain scalars, plus what the emitter leaves to cdk8s.
const STRINGS = [
  'web', 'db-0', 'apps/v1', 'app.kubernetes.io/name', 'postgres:16.4', '/var/lib/data', 'http://x.example/a?b=c', '1Gi', '250m',
  '', ' ', ' lead', 'trail ', 'a: b', 'a:b', 'x:', ':x', 'a #b', 'a#b', '#x', '-', '- x', '-x', '?', '? x', '?x', ',x', 'x,y',
  '[x]', '{x}', '&a', '*a', '!t', '|', '>', "'q", '"q', '%x', '@x', '`x', 'it\'s', 'say "hi"', 'back\\slash', 'tab\there',
  'line\nbreak', 'line\n', 'ünï', 'emoji 😀', '\u0007bell', '---', '--- x', '...', 'a---', '~', 'null', 'Null', 'NULL', 'nul',
  'y', 'Y', 'n', 'N', 'yes', 'Yes', 'YES', 'no', 'on', 'On', 'off', 'OFF', 'true', 'False', 'yep', '0', '07', '08', '0x1F', '0xG',
  '0b101', '0b2', '0o17', '1_000', '1:20', '1:60', '1:20.5', '-1', '+1', '1.5', '.5', '5.', '1e3', '1e', '.inf', '-.Inf', '.nan',
  '2001-12-14', '2001-12-14T21:59:43.10-05:00', '2001-1-1', '<<', '<', 'x'.repeat(1100),
];
const NUMBERS = [0, 1, -1, 5432, 2 ** 31, 0.5, -2.25, 1e21, 1e-7, Number.MAX_SAFE_INTEGER, -0, NaN, Infinity];

function random(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
}

function value(r: () => number, depth: number): unknown {
  const pick = r();
  if (depth > 3 || pick < 0.45) return STRINGS[Math.floor(r() * STRINGS.length)];
  if (pick < 0.55) return NUMBERS[Math.floor(r() * NUMBERS.length)];
  if (pick < 0.6) return r() < 0.5;
  if (pick < 0.62) return r() < 0.5 ? null : undefined;
  if (pick < 0.8) return map(r, depth + 1);
  return Array.from({ length: Math.floor(r() * 4) }, () => value(r, depth + 1));
}

function map(r: () => number, depth: number): Record<string, unknown> {
  const m: Record<string, unknown> = {};
  const n = Math.floor(r() * 5);
  for (let i = 0; i < n; i++) m[r() < 0.7 ? `k${Math.floor(r() * 9)}` : STRINGS[Math.floor(r() * STRINGS.length)]] = value(r, depth);
  return m;
}

describe('manifest YAML', () => {
  test('the probe finds the installed cdk8s emitter as expected, so this process writes manifests itself', () => {
    expect(manifestYamlPath()).toEqual({ fast: true, reason: expect.stringMatching(/byte-identical/) });
  });

  test('every committed manifest file: the same bytes; only documents with multi-line strings go to cdk8s\' emitter', () => {
    const files = fs.readdirSync(DIST).filter((f) => f.endsWith('.k8s.yaml'));
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) {
      const text = fs.readFileSync(path.join(DIST, f), 'utf8');
      expect(manifestYaml(parseYamlDocuments(text))).toBe(text);
    }
    const fallback = jest.spyOn(Yaml, 'stringify');
    try {
      const docs = files.flatMap((f) => parseYamlDocuments(fs.readFileSync(path.join(DIST, f), 'utf8')));
      const fellBack = docs.filter((d) => {
        fallback.mockClear();
        manifestYaml([d]);
        return fallback.mock.calls.length > 0;
      });
      expect(fellBack.length).toBeLessThan(docs.length / 10);
      for (const d of fellBack) expect(JSON.stringify(d)).toMatch(/\\n./); // a multi-line string (Corefile, scripts)
    } finally {
      fallback.mockRestore();
    }
  });

  test('3000 random documents of edge cases: the same bytes as Yaml.stringify, alone and as streams', () => {
    const r = random(28);
    const docs = Array.from({ length: 3000 }, () => ({ apiVersion: 'v1', kind: 'ConfigMap', ...map(r, 0), data: value(r, 1) }));
    let handled = 0;
    const fallback = jest.spyOn(Yaml, 'stringify');
    try {
      for (const doc of docs) {
        const calls = fallback.mock.calls.length;
        const ours = manifestYaml([doc]);
        if (fallback.mock.calls.length === calls) handled++;
        fallback.mockClear();
        expect(ours).toBe(Yaml.stringify(doc));
      }
      for (let i = 0; i < docs.length; i += 7) {
        const stream = [docs[i], undefined, docs[i + 1], docs[i + 2]].filter((_, j) => j !== 1 || i % 2 === 0);
        expect(manifestYaml(stream)).toBe(Yaml.stringify(...stream));
      }
    } finally {
      fallback.mockRestore();
    }
    // Both sides ran: most documents written here, the rest by cdk8s (non-ASCII, quotes, nulls, ...).
    process.stdout.write(`random documents written by the manifest emitter itself: ${handled} of ${docs.length}\n`);
    expect(handled).toBeGreaterThan(300);
    expect(handled).toBeLessThan(docs.length);
  });
});
