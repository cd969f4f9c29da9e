import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { trimmedSchema, TRIMMED_FILE } = require('../projenrc/trim-schema.js');

// The package ships a trimmed copy of the vendored 1.28 schema; it must be exactly the trim of the vendored file.

const IMPORTS = path.join(__dirname, '..', 'imports');

test('the vendored 1.28 definitions are the file imports/README.md names (sha256 26005b7e...8b0df6)', () => {
  const hash = createHash('sha256').update(fs.readFileSync(path.join(IMPORTS, 'k8s-1.28.0-definitions.json'))).digest('hex');
  expect(hash.slice(0, 8)).toBe('26005b7e');
  expect(hash.slice(-6)).toBe('8b0df6');
});

test('imports/k8s-1.28.0-schema.json is the vendored definitions without descriptions (run `npx projen schema:trim`)', () => {
  const trimmed = fs.readFileSync(TRIMMED_FILE, 'utf8');
  expect(trimmed).toBe(trimmedSchema());
  expect(trimmed).not.toContain('"description"');
  const full = JSON.parse(fs.readFileSync(path.join(IMPORTS, 'k8s-1.28.0-definitions.json'), 'utf8'));
  expect(Object.keys(JSON.parse(trimmed).definitions)).toEqual(Object.keys(full.definitions));
  expect(trimmed.length).toBeLessThan(300_000);
});
