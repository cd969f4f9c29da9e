// Writes imports/k8s-1.28.0-schema.json: the vendored OpenAPI definitions without their `description` texts,
// minified. It is the only schema file the npm package ships (the descriptions are ~80% of the bytes and no
// rule reads them). Run by `npx projen schema:trim`; test/schema-file.test.ts fails when it is stale.
const fs = require('fs');
const path = require('path');

const IMPORTS = path.join(__dirname, '..', 'imports');

function trim(value) {
  if (Array.isArray(value)) return value.map(trim);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => k !== 'description').map(([k, v]) => [k, trim(v)]));
}

function trimmedSchema() {
  const full = JSON.parse(fs.readFileSync(path.join(IMPORTS, 'k8s-1.28.0-definitions.json'), 'utf8'));
  return `${JSON.stringify(trim(full))}\n`;
}

module.exports = { trimmedSchema, TRIMMED_FILE: path.join(IMPORTS, 'k8s-1.28.0-schema.json') };

if (require.main === module) fs.writeFileSync(module.exports.TRIMMED_FILE, trimmedSchema());
