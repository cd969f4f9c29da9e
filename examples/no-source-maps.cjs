// Preloaded after tsx by cdk8s.yaml's app command (`--require tsx/cjs --require ./examples/no-source-maps.cjs`).
// tsx turns Node's source-map support on for every module it loads, so Node then decodes the inline source maps
// that jsii builds into cdk8s-plus-28's and cdk8s' files (megabytes of base64) as they load: about a third of
// the app's start, measured in docs/performance.md. The app reports its errors by construct path, field and value,
// not by stack-trace line, so it runs without them; `node --require tsx/cjs examples/tutorial/main.ts` keeps them.
'use strict';
process.setSourceMapsEnabled(false);
