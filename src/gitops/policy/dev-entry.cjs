// Layer gitops/: synthesis, output directory, change guard, policy. May import kubernetes/ only.
// Loads the policy plugin from its TypeScript sources, so this repository's own `cdk8s synth` can run it
// without a build (cdk8s.yaml: `package: ./src/gitops/policy/dev-entry.cjs`). Published apps use the package.
require('tsx/cjs');
module.exports = require('./index.ts');
