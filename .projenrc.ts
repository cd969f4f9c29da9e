import { cdk8s, javascript } from 'projen';

// Versions are pinned: the lockfile records the exact tree, these say which majors we trust.
const CDK8S = '2.70.106';
const CDK8S_PLUS_28 = '2.5.6'; // frozen upstream since Sep 2024 (Kubernetes 1.28 API)
const CONSTRUCTS = '10.3.0'; // cdk8s-plus-28 needs ^10.3.0; projen's default 10.0.0 fails with ERESOLVE

const project = new cdk8s.ConstructLibraryCdk8s({
  name: 'cdk8s-workloads',
  description:
    'Typed, validated cdk8s constructs for the classic Kubernetes Pod controllers ' +
    '(StatefulSet, Deployment, DaemonSet, Job, CronJob), static NFS volumes and the CoreDNS addon, for Kubernetes 1.28.',
  keywords: ['cdk8s', 'kubernetes', 'statefulset', 'daemonset', 'cronjob', 'coredns', 'nfs'],
  author: 'Platform Team',
  authorAddress: 'platform@example.com',
  repositoryUrl: 'https://github.com/example/cdk8s-workloads.git',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  minNodeVersion: '20.0.0',

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
    'yaml@2.9.1',
  ],

  // The policy plugin validates schemas at `cdk8s synth` time in users' apps, so it ships with the package.
  bundledDeps: ['kubernetes-models@4.5.1'], // v5 is ESM-only and needs Node 22

  // Package artifacts must never land in dist/: dist/ holds the synthesised manifests (GitOps source).
  artifactsDirectory: 'dist-pkg',
  docgen: true,

  release: false,
  github: false,
  depsUpgrade: false,
  pullRequestTemplate: false,

  jestOptions: {
    // Snapshot drift fails `npm test`; `npm run test:update` accepts it deliberately.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      collectCoverage: false,
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testTimeout: 120_000,
    },
  },
  tsconfigDev: {
    compilerOptions: { isolatedModules: true },
  },

  gitignore: ['/dist-pkg/', '/.tmp/', 'cdk8s.out/', '/bench-results/'],
  npmignoreEnabled: true,
});

// Error messages are long on purpose (path, field, value, fix); do not wrap string literals.
project.eslint?.addRules({
  '@stylistic/max-len': ['error', {
    code: 150, ignoreUrls: true, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreComments: false,
  }],
});

// dist/ is committed: it is the manifests directory GitOps tools apply.
project.gitignore.include('/dist/');

// The npm package ships lib/ and the jsii assembly; manifests, fixtures and the synth app stay home.
// examples/ holds the synth app (the reference example), run from its sources by cdk8s.yaml.
for (const pattern of ['/dist/', '/dist-pkg/', '/hosts/', '/.tmp/', '/imports/README.md', '/.ci/', '/cdk8s.yaml', '/examples/', '/docs/']) {
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
  exec: 'cdk8s synth',
});

// Speed targets live in a benchmark, never in tests: `npm run bench` prints figures and ratios.
project.addTask('bench', {
  description: 'Synthesis benchmarks (median wall time, peak RSS) and the summary ratios; not part of npm test',
  exec: 'node --require tsx/cjs test/bench/synth.bench.ts',
});

project.synth();
