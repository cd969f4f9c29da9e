import { cdk8s, javascript, release } from 'projen';

// Versions are pinned: the lockfile records the exact tree, these say which majors we trust.
// Peer ranges start at these pins (what the lockfile installs) and end at the newest published 2.x / 10.x,
// which .ci/run installs and tests in a scratch copy: both ends of every range are tested.
const CDK8S = '2.70.106';
const CDK8S_PLUS_28 = '2.5.6'; // frozen upstream since Sep 2024 (Kubernetes 1.28 API)
const CONSTRUCTS = '10.3.0'; // cdk8s-plus-28 needs ^10.3.0; projen's default 10.0.0 fails with ERESOLVE

// THE ONE PLACE that names where the source lives: repository, homepage and bugs in package.json derive
// from it. The real organisation is not decided yet, so this is a placeholder; set it before the first
// release (docs/releasing.md, "Before the first release").
const REPOSITORY = 'https://github.com/OWNER-TO-BE-DECIDED/cdk8s-workloads';

// Node versions: what `engines` admits is exactly what .ci/run tests (the pinned binaries in .ci/node/).
// 20 is past end of life, and on it `npm ci` warns EBADENGINE for development dependencies (docs/packaging.md).
const NODE_ENGINES = '^22.0.0 || ^24.0.0';

// The second cdk8s-plus line: the same sources built against the cdk8s-plus that `cdk8s init` installs today
// (projenrc/plus-line.js, docs/packaging.md "cdk8s-plus lines"). cdk8s-plus-28 stays the primary line.
const CDK8S_PLUS_33 = '2.5.57';

// The toolchains a cdk8s user has (test/support/user-project.ts): what `cdk8s init typescript-app`
// pins, and the newest TypeScript and @types/node. npm aliases, so they sit beside the repository's own.
const TOOLCHAIN_DEPS = [
  'typescript-5.9@npm:typescript@5.9.3',
  'typescript-newest@npm:typescript@7.0.2',
  'types-node-14@npm:@types/node@14.18.63',
  'types-node-newest@npm:@types/node@26.6.11',
];

const project = new cdk8s.ConstructLibraryCdk8s({
  name: 'cdk8s-workloads',
  description:
    'Typed, validated cdk8s constructs for the classic Kubernetes Pod controllers ' +
    '(StatefulSet, Deployment, DaemonSet, Job, CronJob), static NFS volumes and the CoreDNS addon, for Kubernetes 1.28.',
  // Construct Hub indexes packages with the `cdk8s` keyword (plus a jsii assembly); the rest is for search.
  keywords: ['cdk8s', 'cdk8s-plus', 'constructs', 'kubernetes', 'k8s', 'statefulset', 'deployment', 'daemonset', 'cronjob', 'job', 'coredns', 'nfs', 'gitops'],
  author: 'Platform Team',
  authorAddress: 'platform@example.com',
  repositoryUrl: `git+${REPOSITORY}.git`, // the form npm publish normalises to (no warning)
  homepage: `${REPOSITORY}#readme`,
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  minNodeVersion: '22.0.0',

  jsiiVersion: '~6.0.0',
  cdk8sVersion: CDK8S,
  constructsVersion: CONSTRUCTS,
  // jsii requires a library's public dependencies as peer + dev dependencies.
  peerDeps: [`cdk8s-plus-28@^${CDK8S_PLUS_28}`],

  // The L1 Kubernetes 1.28 bindings come from cdk8s-plus-28's `k8s` export (see imports/README.md).
  devDeps: [
    `cdk8s-plus-28@${CDK8S_PLUS_28}`,
    'cdk8s-cli@2.207.60',
    'tsx@4.23.15', // transpile-only runner for the synth app (no whole-program type-check per synth)
    // Test-only: an independent schema validator that test/util.ts runs over every synthesised object.
    // Not a runtime dependency: the constructs and the policy plugin validate against the vendored
    // Kubernetes 1.28 OpenAPI schema (imports/), which keeps the installed package small (docs/packaging.md).
    'kubernetes-models@4.5.1', // v5 is ESM-only and needs Node 22
    `cdk8s-plus-33@${CDK8S_PLUS_33}`,
    ...TOOLCHAIN_DEPS,
  ],

  // yaml: AppSynthesizer merges the user's kustomization.yaml keeping its comments and fields (1.4 MB; jsii
  // requires non-jsii dependencies to be bundled).
  bundledDeps: ['yaml@2.9.1'],

  // Package artifacts must never land in dist/: dist/ holds the synthesised manifests (GitOps source).
  artifactsDirectory: 'dist-pkg',
  docgen: true,

  // Releases: `npx projen release` bumps the version from the conventional commits since the last tag,
  // builds, writes CHANGELOG.md and tags; `npx projen publish:npm` publishes and stops first when no
  // NPM_TOKEN is set (docs/releasing.md). No GitHub workflows: CI is .ci/run.
  release: true,
  releaseTrigger: release.ReleaseTrigger.manual({ changelog: true, changelogPath: 'CHANGELOG.md', gitPushCommand: '' }),
  releaseToNpm: false, // projen would publish from a GitHub workflow; publish:npm below does it locally
  github: false,
  depsUpgrade: false,
  pullRequestTemplate: false,

  jestOptions: {
    // Snapshot drift fails `npm test`; `npm run test:update` accepts it deliberately.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    // A short summary when everything passes, every failure in full when something fails (no per-file lines,
    // no console output of passing tests): jest's summary reporter with its threshold at 0.
    preserveDefaultReporters: false,
    jestConfig: {
      reporters: [new javascript.JestReporter('summary', { summaryThreshold: 0 })],
      // One temporary directory per run, removed at the end: cdk8s' App without outdir (Testing.app() too)
      // makes a cdk8s.outdir.* directory in os.tmpdir() per app and never removes it.
      globalSetup: '<rootDir>/test/support/jest-tmpdir-setup.ts',
      globalTeardown: '<rootDir>/test/support/jest-tmpdir-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/support/jest-quiet.ts'],
      collectCoverage: false,
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testTimeout: 120_000,
      // Two workers whatever the core count (jest's default is cores - 1, one worker on CI's 2 cores): the slow
      // tests spend their time in child processes (jsii, tsc, cdk8s-cli), so a second worker keeps both cores busy.
      maxWorkers: 2,
      // lines/: the per-cdk8s-plus package builds (projenrc/plus-line.js), copies of the sources and package.json.
      modulePathIgnorePatterns: ['<rootDir>/lines/'],
    },
  },
  tsconfigDev: {
    compilerOptions: { isolatedModules: true },
  },

  // `npm test` only reports lint errors; `npm run lint:fix` (below) is the one task that edits sources.
  eslintOptions: { dirs: ['src'], devdirs: ['test', 'build-tools', 'projenrc'], commandOptions: { fix: false } },

  gitignore: ['/lines/', '/dist-pkg/', '/.tmp/', 'cdk8s.out/', '/bench-results/', '/.ci/node/node_modules/', '/.ci/.work/',
    // .<dir>.staging-*/.previous-*: an OutputDirectory write in progress, or one a crash interrupted.
    '.*.staging-*/', '.*.previous-*/'],
  npmignoreEnabled: true,
});

// Error messages are long on purpose (path, field, value, fix); do not wrap string literals.
project.eslint?.addRules({
  '@stylistic/max-len': ['error', {
    code: 150, ignoreUrls: true, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreComments: false,
  }],
});

// The layers are the folders (CONTRIBUTING.md, "The layers"); imports only go down, and no file cycle.
// kubernetes/ knows Kubernetes and imports nothing of ours; pod/ builds on it; workload/ on both; each
// constructs/<family>/ on those three and never on another family; gitops/ (synthesis, output directory,
// change guard, policy) on kubernetes/ only. index.ts re-exports and nothing imports it.
const LAYERS: Record<string, string[]> = {
  'src/kubernetes': ['src/pod', 'src/workload', 'src/constructs', 'src/gitops', 'src/index.ts'],
  'src/pod': ['src/workload', 'src/constructs', 'src/gitops', 'src/index.ts'],
  'src/workload': ['src/constructs', 'src/gitops', 'src/index.ts'],
  'src/constructs': ['src/gitops', 'src/index.ts'],
  'src/gitops': ['src/pod', 'src/workload', 'src/constructs', 'src/index.ts'],
};
const CONSTRUCT_FAMILIES = ['access', 'batch', 'coredns', 'nfs', 'node-agent', 'standalone-pod', 'stateful-app', 'stateless-app'];
project.eslint?.addRules({
  'import/no-restricted-paths': ['error', {
    zones: [
      ...Object.entries(LAYERS).map(([target, from]) => ({
        target: `./${target}`,
        from: from.map((f) => `./${f}`),
        message: `${target}/ sits below this folder: imports only go down (CONTRIBUTING.md, "The layers").`,
      })),
      ...CONSTRUCT_FAMILIES.map((family) => ({
        target: `./src/constructs/${family}`,
        from: './src/constructs',
        except: [`./${family}`],
        message: 'a construct family never imports another: move what both need down into workload/ or pod/ (CONTRIBUTING.md).',
      })),
    ],
  }],
});

// Console output of passing and failing tests stays out of `npm test` (failures print in full through the summary
// reporter); `npx jest --silent=false <file>` shows it. JestConfigOptions has no field for it.
project.tryFindObjectFile('package.json')?.addOverride('jest.silent', true);

// House rules for shipped code (CONTRIBUTING.md, "House rules"): functions short enough to read whole, no
// double cast that silences the type checker, and a public index that names every export.
const NO_DOUBLE_CAST = {
  selector: 'TSAsExpression > TSAsExpression.expression[typeAnnotation.type="TSUnknownKeyword"]',
  message: '`as unknown as` hides a type mismatch: type the value, narrow it with a guard, or declare the shape you rely on.',
};
project.eslint?.addOverride({
  files: ['src/**/*.ts'],
  rules: {
    // Layers are src/'s: tests and tools import src/ from outside it and cannot close a cycle in it. Checked here
    // only, it was three quarters of the lint's time (each test file walked the whole src/ graph again).
    'import/no-cycle': ['error', { ignoreExternal: true }],
    'max-lines-per-function': ['error', { max: 80 }],
    'no-restricted-syntax': ['error', NO_DOUBLE_CAST],
  },
});
project.eslint?.addOverride({
  files: ['src/index.ts'],
  rules: {
    'no-restricted-syntax': ['error', NO_DOUBLE_CAST, {
      selector: 'ExportAllDeclaration',
      message: 'src/index.ts re-exports by name, so the public API is read in one place: list the names.',
    }],
  },
});

project.package.addField('bugs', { url: `${REPOSITORY}/issues` });
project.package.addEngine('node', NODE_ENGINES);

project.addTask('lint:fix', {
  description: 'Fix what eslint can fix in place (npm test only reports)',
  steps: [{ spawn: 'eslint', args: ['--fix'] }],
});

// The release's last step: publish to npm, or stop before publishing when no NPM_TOKEN is set.
const publishNpm = project.addTask('publish:npm', {
  description: 'Publish the release tarball (dist-pkg/js/) to npm; stops before publishing without NPM_TOKEN',
  exec: '.ci/publish-npm',
});
project.tasks.tryFind('release')!.spawn(publishNpm);

// dist/ is committed: it is the manifests directory GitOps tools apply.
project.gitignore.include('/dist/');

// The npm package ships lib/ and the jsii assembly; manifests, fixtures and the synth app stay home.
// examples/ holds the synth app (the reference example), run from its sources by cdk8s.yaml.
// `dist-pkg` is spelled exactly as jsii-pacmak looks for it: otherwise `projen package:js` appends it to
// .npmignore on every run and leaves the tree dirty.
for (const pattern of ['/dist/', '/cdk8s.out/', '/imports/k8s-1.28.0-definitions.json', 'dist-pkg', '/hosts/', '/.tmp/', '/imports/README.md', '/.ci/',
  '/cdk8s.yaml', '/examples/', '/docs/', '/CONTRIBUTING.md', '/API.md', // docs/ and API.md are read in the repository (Construct Hub renders its own API pages from .jsii)
  '*.tgz', // an earlier `npm pack` output in the package folder is never packed into the next one
  '/lines/', '/argocd/', '/tools/']) {
  project.npmignore?.exclude(pattern);
}

// The example is type-checked and linted like the tests (jsii compiles src/ only).
new javascript.TypescriptConfig(project, {
  fileName: 'examples/tsconfig.json',
  extends: javascript.TypescriptConfigExtends.fromPaths(['../tsconfig.json']),
  include: ['**/*.ts'],
  compilerOptions: { rootDir: '..', noEmit: true, isolatedModules: true },
});
project.eslint?.addLintPattern('examples');

// The synth app: cdk8s.yaml's `app` is the single source of the command.
project.addTask('synth', {
  description: 'Synthesise the tutorial cluster into dist/ (same as `npx cdk8s synth`)',
  // cdk8s-cli's upgrade check prints a stack trace where the registry is not reachable over plain http.
  env: { CDK8S_CHECK_UPGRADE: 'false' },
  exec: 'cdk8s synth',
});

// The package ships the vendored schema without its descriptions (imports/README.md); test/schema-file.test.ts
// fails when the trimmed file is stale.
project.addTask('schema:trim', {
  description: 'Regenerate imports/k8s-1.28.0-schema.json from the vendored OpenAPI definitions',
  exec: 'node projenrc/trim-schema.js',
});

// The cdk8s-plus-33 line of the package, built from the same sources (projenrc/plus-line.js, docs/packaging.md).
project.addTask('line:plus-33', {
  description: 'Build and pack the cdk8s-plus-33 line of the package into lines/cdk8s-plus-33/',
  exec: 'node projenrc/plus-line.js 33 --pack lines/cdk8s-plus-33',
});

// Speed targets live in a benchmark, never in tests: `npm run bench` prints figures and ratios.
project.addTask('bench', {
  description: 'Synthesis benchmarks (median wall time, peak RSS) and the summary ratios; not part of npm test',
  exec: 'node --require tsx/cjs test/bench/synth.bench.ts',
});

project.synth();
