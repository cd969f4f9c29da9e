// Loads the policy plugin from its TypeScript sources, so this repository's own `cdk8s synth` can run it
// without a build (cdk8s.yaml: `package: ./src/plugin/dev-entry.cjs`). Published apps use the package.
require('tsx/cjs');
module.exports = require('./index.ts');
