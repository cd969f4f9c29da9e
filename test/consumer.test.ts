import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { worstInputTrial } from './bad-input-trial';
import { CliRun, npmEnvironment, packedPackage, runCommand } from './support/user-project';
import { LEDGER, Manifest, only, parseYamlDocuments, readTree, tempDir, validateManifests } from './util';

// The consumer path, end to end: build the npm package with jsii and `npm pack` it (test/support/user-project.ts,
// once per run), install the tarball with `npm ci` into a fresh cdk8s app outside the repository, compile that app's
// TypeScript strictly against the installed typings, run `cdk8s synth` with the policy plugin loaded by
// package name, and validate what it wrote. The app is the repository's own example app (examples/tutorial/, the
// README's "A complete app"), as a user writes it: `from 'cdk8s-workloads'` instead of `from '../../src'`.
// Takes about a minute.

const ROOT = path.join(__dirname, '..');
const BIN = path.join(ROOT, 'node_modules', '.bin');
const FIXTURES = path.join(__dirname, 'fixtures', 'consumer');
const EXAMPLE = path.join(ROOT, 'examples', 'tutorial');
const PACKAGE = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const PEERS = ['cdk8s', 'cdk8s-plus-28', 'constructs'];

/** Runs a command asynchronously (two installs run in parallel), in `npm test`'s environment minus its npm_* variables. */
function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<CliRun> {
  return runCommand(command, args, { cwd, env: npmEnvironment(env) });
}

async function succeed(what: string, command: string, args: string[], cwd: string, env?: Record<string, string>): Promise<string> {
  const result = await run(command, args, cwd, env);
  if (result.status !== 0) throw new Error(`${what} failed (${command} ${args.join(' ')}, exit ${result.status}):\n${result.output}`);
  return result.output;
}

/**
 * package.json and package-lock.json of an app that depends on the tarball and on the peers at the
 * versions this repository's lockfile pins. With the lockfile, `npm ci --offline` needs only the
 * tarballs and abbreviated metadata that this repository's own `npm ci` put into the npm cache; a bare
 * `npm install --offline` would also need the registry's full metadata for peer resolution, which that
 * cache does not hold (it fails with ERESOLVE "Found: cdk8s@undefined").
 */
function writeInstallableApp(dir: string, name: string, tarball: string): void {
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'));
  const dependencies: Record<string, string> = { [PACKAGE.name]: `file:${tarball}` };
  const packages: Record<string, Manifest> = {};
  for (const peer of PEERS) {
    dependencies[peer] = lock.packages[`node_modules/${peer}`].version;
    for (const [key, entry] of Object.entries<Manifest>(lock.packages)) {
      if (key !== `node_modules/${peer}` && !key.startsWith(`node_modules/${peer}/node_modules/`)) continue;
      const { dev, peer: _peer, devOptional, ...rest } = entry;
      packages[key] = rest;
    }
  }
  packages[`node_modules/${PACKAGE.name}`] = {
    version: PACKAGE.version,
    resolved: `file:${tarball}`,
    integrity: `sha512-${crypto.createHash('sha512').update(fs.readFileSync(tarball)).digest('base64')}`,
    license: PACKAGE.license,
    bundleDependencies: PACKAGE.bundledDependencies,
    dependencies: PACKAGE.dependencies,
    peerDependencies: PACKAGE.peerDependencies,
    engines: PACKAGE.engines,
  };
  fs.mkdirSync(dir, { recursive: true });
  const manifest = { name, version: '1.0.0', private: true, dependencies };
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest, undefined, 2));
  fs.writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify({
    name, version: '1.0.0', lockfileVersion: 3, requires: true, packages: { '': manifest, ...packages },
  }, undefined, 2));
}

/** Apparent size, bytes of allocated disk blocks (what `du` counts) and file count of a directory tree. */
function diskUsage(dir: string): { bytes: number; blocks: number; files: number } {
  const total = { bytes: 0, blocks: 0, files: 0 };
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const sub = diskUsage(full);
      total.bytes += sub.bytes; total.blocks += sub.blocks; total.files += sub.files;
    } else {
      const stat = fs.lstatSync(full);
      total.bytes += stat.size; total.blocks += stat.blocks * 512; total.files += 1;
    }
  }
  return total;
}

function cdk8sYaml(plugin: { package: string; pluginsDirectory?: string }): string {
  return [
    'language: typescript',
    'app: node main.js',
    'output: cdk8s.out', // the README's layout; cdk8s init's (no output:) is tested in test/user-project.test.ts
    ...(plugin.pluginsDirectory ? [`pluginsDirectory: ${plugin.pluginsDirectory}`] : []),
    'validations:',
    `  - package: ${plugin.package}`,
    `    version: ${PACKAGE.version}`,
    '    class: PolicyPlugin',
    '',
  ].join('\n');
}

function readManifests(dir: string): { files: string[]; docs: Manifest[] } {
  const files = fs.readdirSync(dir).sort();
  const docs = files.filter((f) => f.endsWith('.k8s.yaml')).flatMap((f) => parseYamlDocuments(fs.readFileSync(path.join(dir, f), 'utf8')));
  return { files, docs };
}

/** The example app's files as a user writes them, by file name: the package's name where the repository imports its sources. */
function exampleAsAUserWritesIt(): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(EXAMPLE).filter((f) => f.endsWith('.ts'))
    .map((f) => [f, fs.readFileSync(path.join(EXAMPLE, f), 'utf8').split("from '../../src'").join(`from '${PACKAGE.name}'`)]));
}

/** The committed dist/: what the app in the repository wrote, and what the installed package must write. */
const COMMITTED_DIST = readTree(path.join(ROOT, 'dist'), { ledger: true });
const CHART_FILES = Object.keys(COMMITTED_DIST).filter((f) => f.endsWith('.k8s.yaml'));

describe('a cdk8s app that installs the npm package', () => {
  let packedFiles: string[];
  let app: string;
  let pluginsDirectory: string;
  let compile: CliRun;
  let initCompile: CliRun;
  let synth: CliRun;
  let startedAt: number;
  let jsiiOutput: string;
  let installOutput: string;

  beforeAll(async () => {
    startedAt = Date.now();
    // jsii compiles src/ into lib/ (+ .jsii) in a scratch copy: what `npm pack` ships.
    const packed = packedPackage('28');
    jsiiOutput = packed.buildOutput;
    packedFiles = [...packed.files];
    const tarball = packed.tarball;

    // The app, outside the repository, and the plugin where cdk8s-cli looks for `package: cdk8s-workloads`:
    // <pluginsDirectory>/<package>/<version>/node_modules/<package>. cdk8s-cli would `npm install` it
    // there from the registry on first use; this package is not published, so it is installed from the
    // tarball the same way.
    app = tempDir('consumer-app');
    pluginsDirectory = tempDir('consumer-plugins');
    const pluginPrefix = path.join(pluginsDirectory, PACKAGE.name, PACKAGE.version);
    writeInstallableApp(app, 'consumer', tarball);
    writeInstallableApp(pluginPrefix, 'plugin-install', tarball);
    const install = ['ci', '--offline', '--no-audit', '--no-fund'];
    installOutput = (await Promise.all([succeed('npm ci (app)', 'npm', install, app), succeed('npm ci (plugin)', 'npm', install, pluginPrefix)])).join('\n');

    // Plain JavaScript at run time (`app: node main.js`): compiled from the TypeScript consumer with this
    // repository's compiler, so the temporary app needs no TypeScript tooling of its own.
    const sources = exampleAsAUserWritesIt();
    for (const [f, content] of Object.entries(sources)) fs.writeFileSync(path.join(app, f), content);
    fs.copyFileSync(path.join(FIXTURES, 'typings.ts.txt'), path.join(app, 'typings.ts'));
    const compilerOptions = {
      strict: true,
      target: 'ES2022',
      module: 'node16',
      moduleResolution: 'node16',
      skipLibCheck: false, // check the package's .d.ts files too
      noEmitOnError: true,
      typeRoots: [path.join(ROOT, 'node_modules', '@types')],
      types: ['node'],
    };
    fs.writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: [...Object.keys(sources), 'typings.ts'] }, undefined, 2));
    compile = await run(path.join(BIN, 'tsc'), ['-p', 'tsconfig.json'], app); // asserted below
    // The app's files again, under the compiler options `cdk8s init typescript-app` writes (lib es2016,
    // noUnusedLocals, ...): what a user compiles who copies the README's complete app into such a project.
    const template = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', 'cdk8s-cli', 'templates', 'typescript-app', 'tsconfig.json'), 'utf8'));
    const initOptions = { ...template.compilerOptions, noEmit: true, typeRoots: compilerOptions.typeRoots, types: ['node'] };
    fs.writeFileSync(path.join(app, 'tsconfig.init.json'), JSON.stringify({ compilerOptions: initOptions, files: Object.keys(sources) }, undefined, 2));
    initCompile = await run(path.join(BIN, 'tsc'), ['-p', 'tsconfig.init.json'], app); // asserted below

    fs.writeFileSync(path.join(app, 'cdk8s.yaml'), cdk8sYaml({ package: PACKAGE.name, pluginsDirectory }));
    // npm_config_offline: if the plugin were missing, cdk8s-cli's `npm install` fails instead of reaching the registry.
    synth = await run(path.join(BIN, 'cdk8s'), ['synth', '--no-check-upgrade'], app, { npm_config_offline: 'true' });
    process.stdout.write(`consumer path (build, pack, install, compile, synth): ${((Date.now() - startedAt) / 1000).toFixed(1)} s\n`);
  }, 300_000);

  test('the tarball ships lib/, the jsii assembly, the 1.28 schema and the bundled yaml, and nothing else', () => {
    expect(packedFiles).toEqual(expect.arrayContaining([
      'package.json', 'README.md', 'LICENSE', '.jsii', 'lib/index.js', 'lib/index.d.ts',
      'imports/k8s-1.28.0-schema.json', 'node_modules/yaml/package.json',
    ]));
    const topLevel = [...new Set(packedFiles.map((f) => f.split('/')[0]))].sort();
    expect(topLevel).toEqual(['.jsii', 'LICENSE', 'README.md', 'imports', 'lib', 'node_modules', 'package.json']);
    expect([...new Set(packedFiles.filter((f) => f.startsWith('node_modules/')).map((f) => f.split('/')[1]))]).toEqual(['yaml']);
    expect(packedFiles.filter((f) => f.startsWith('lib/') && !/\.(js|d\.ts)$/.test(f))).toEqual([]);
  });

  test('the worst-input trial against the installed package: input errors, never a crash (issue 25)', () => {
    // The same trial as test/bad-input.test.ts, with the package and the cdk8s the app installed: what a user runs.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fromApp = (name: string) => require(require.resolve(name, { paths: [app] }));
    const { crashes, rejected } = worstInputTrial(fromApp(PACKAGE.name), fromApp('cdk8s'));
    expect(crashes).toEqual([]);
    expect(rejected).toBeGreaterThan(300);
  });

  test('installing it into an app that has the peers adds at most 5 MB (docs/packaging.md)', () => {
    // Everything the install added beside the peers: the package directory is all of it (the next test
    // checks node_modules holds nothing else). Both the bytes and the disk blocks count.
    const footprint = diskUsage(path.join(app, 'node_modules', PACKAGE.name));
    process.stdout.write(`installed footprint: ${(footprint.bytes / 1e6).toFixed(2)} MB, ${(footprint.blocks / 1e6).toFixed(2)} MB on disk, ${footprint.files} files\n`);
    expect(footprint.bytes).toBeLessThanOrEqual(5_000_000);
    expect(footprint.blocks).toBeLessThanOrEqual(5_000_000);
  });

  test('jsii builds without an end-of-life banner, on the Node versions engines admits (22, 24)', () => {
    const major = Number(process.versions.node.split('.')[0]);
    expect([22, 24]).toContain(major);
    expect(PACKAGE.engines.node).toBe('^22.0.0 || ^24.0.0');
    expect(jsiiOutput).not.toMatch(/end-of-life|end of life/i);
  });

  test('installing the package is clean: npm warns about no engine', () => {
    expect(installOutput).not.toMatch(/EBADENGINE|Unsupported engine/);
  });

  test('the installed package resolves from the app, not from this repository, with no dependencies of its own', async () => {
    const script = 'const m = require.resolve("cdk8s-workloads"); const w = require(m); console.log(JSON.stringify({ m, keys: Object.keys(w) }))';
    const { m, keys } = JSON.parse(await succeed('require', process.execPath, ['-e', script], app));
    expect(m).toBe(path.join(fs.realpathSync(app), 'node_modules', 'cdk8s-workloads', 'lib', 'index.js'));
    expect(keys).toEqual(expect.arrayContaining([
      'StatefulApp', 'StatelessApp', 'NodeAgent', 'BatchJob', 'ScheduledJob', 'NfsVolumeSet', 'CoreDnsAddon',
      'DnsSmokeTest', 'KubeletApiAccess', 'AppSynthesizer', 'PolicyPlugin', 'PolicyChecker', 'VolumeBinding',
    ]));
    // The one bundled dependency: yaml, for the kustomization merge (jsii requires non-jsii dependencies bundled).
    expect(fs.readdirSync(path.join(app, 'node_modules', 'cdk8s-workloads', 'node_modules')).filter((f) => f !== '.bin')).toEqual(['yaml']);
    expect(fs.readdirSync(path.join(app, 'node_modules')).sort()).toEqual(['.package-lock.json', 'cdk8s', 'cdk8s-plus-28', 'cdk8s-workloads', 'constructs']);
  });

  test('the consumer imports only the packages\' entry points and its own files', () => {
    const allowed = [PACKAGE.name, ...PEERS];
    const sources = { ...exampleAsAUserWritesIt(), 'typings.ts': fs.readFileSync(path.join(FIXTURES, 'typings.ts.txt'), 'utf8') };
    const specifiers = Object.values(sources).flatMap((content) => [...content.matchAll(/from '([^']+)'/g)].map((m) => m[1]));
    expect(specifiers).toContain(PACKAGE.name);
    expect(specifiers.filter((s) => !allowed.includes(s) && !/^\.\/[\w-]+$/.test(s))).toEqual([]);
    expect(specifiers.filter((s) => s.startsWith('./')).every((s) => `${s.slice(2)}.ts` in sources)).toBe(true);
  });

  test('strict TypeScript accepts the consumer and rejects misuse (typings.ts) against the installed .d.ts', () => {
    // Each @ts-expect-error in typings.ts fails this compile if its line type-checks.
    expect(compile.output).toBe('');
    expect(compile.status).toBe(0);
    expect(fs.existsSync(path.join(app, 'main.js'))).toBe(true);
  });

  test('the app also compiles under the tsconfig cdk8s init writes (lib es2016, noUnusedLocals, noUnusedParameters)', () => {
    expect(initCompile.output).toBe('');
    expect(initCompile.status).toBe(0);
  });

  describe('cdk8s synth', () => {
    test('runs the app and the PolicyPlugin loaded by package name and exact version; no errors', () => {
      // The app's in-process policy and the plugin cdk8s-cli loaded check the same manifests: the same counts.
      const inApp = /checks: 0 error\(s\), (\d+) warning\(s\), (\d+) justified suppression\(s\)/.exec(synth.output);
      expect(inApp).not.toBeNull();
      expect(Number(inApp![2])).toBeGreaterThan(0);
      expect(synth.output).toMatch(new RegExp(`cdk8s-workloads policy: 0 error\\(s\\), \\d+ warning\\(s\\), ${inApp![2]} suppressed`));
      expect(synth.output).toContain(`Validation Report (${PACKAGE.name}@${PACKAGE.version})`);
      expect(synth.output).toContain('Validations ended succesfully');
      expect(synth.status).toBe(0);
    });

    test('the installed package writes, byte for byte, the committed dist/ and hosts/ (the repository\'s app, from its sources)', () => {
      expect(readTree(path.join(app, 'dist'), { ledger: true })).toEqual(COMMITTED_DIST);
      expect(readTree(path.join(app, 'hosts'), { ledger: true })).toEqual(readTree(path.join(ROOT, 'hosts'), { ledger: true }));
    });

    test('one YAML file per chart in apply order and the kustomization, nothing else, every object valid for 1.28', () => {
      const { files, docs } = readManifests(path.join(app, 'dist'));
      expect(files).toEqual([LEDGER, ...CHART_FILES, 'kustomization.yaml']);
      expect(CHART_FILES).toEqual(['coredns', 'log-access', 'storage', 'stateful', 'web', 'agents', 'batch', 'smoke-tests']
        .map((chart, i) => `000${i}-${chart}.k8s.yaml`));
      expect(parseYamlDocuments(fs.readFileSync(path.join(app, 'dist', 'kustomization.yaml'), 'utf8'))[0].resources).toEqual(CHART_FILES);
      validateManifests(docs);
    });

    test('every construct rendered what the tutorial asks for', () => {
      const { docs } = readManifests(path.join(app, 'dist'));
      const ofKind = (kind: string) => docs.filter((d) => d.kind === kind).map((d) => `${d.metadata.namespace ?? ''}/${d.metadata.name}`);

      const kubeDns = only(docs, 'Service', 'kube-dns');
      expect(kubeDns.metadata.namespace).toBe('kube-system');
      expect(kubeDns.spec.clusterIP).toBe('10.0.0.2');
      expect(only(docs, 'ClusterRoleBinding', 'kube-apiserver-kubelet-api-admin')).toMatchObject({
        roleRef: { kind: 'ClusterRole', name: 'system:kubelet-api-admin' },
        subjects: [{ kind: 'User', name: 'kubernetes' }],
      });

      expect(ofKind('PersistentVolume')).toEqual(['/pv001', '/pv002', '/pv003', '/pv004', '/pv005']);
      expect(only(docs, 'PersistentVolume', 'pv001').spec).toMatchObject({
        capacity: { storage: '1Gi' }, storageClassName: 'nfs-client-storageclass', nfs: { server: 'stor01', path: '/data/volumes/v1' },
      });
      expect(only(docs, 'PersistentVolume', 'pv002').spec.accessModes).toEqual(['ReadWriteOnce']);
      expect(only(docs, 'StorageClass', 'nfs-client-storageclass').provisioner).toBe('kubernetes.io/no-provisioner');
      const myapp = only(docs, 'StatefulSet', 'myapp');
      expect(myapp.spec).toMatchObject({ replicas: 3, serviceName: 'myapp-svc', selector: { matchLabels: { app: 'myapp-pod' } } });
      expect(myapp.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('2Gi');
      expect(only(docs, 'Service', 'myapp-svc').spec.clusterIP).toBe('None');
      expect(only(docs, 'StatefulSet', 'nginx-statefulset').spec.serviceName).toBe('nginx');

      expect(only(docs, 'Deployment', 'nginx-deployment').spec.replicas).toBe(3);
      expect(only(docs, 'Service', 'nginx-service').spec.type).toBe('NodePort');
      expect(only(docs, 'Pod', 'dns-test').spec.containers[0].image).toBe('busybox:1.28.4');

      expect(ofKind('Namespace')).toEqual(['/monitoring']);
      expect(ofKind('DaemonSet')).toEqual(['default/nginx-daemonset', 'monitoring/node-exporter']);

      expect(ofKind('Job')).toEqual(['default/pi', 'default/busybox', 'default/nginx-statefulset-smoke-test', 'default/myapp-smoke-test']);
      expect(only(docs, 'CronJob', 'hello').spec).toMatchObject({ schedule: '*/1 * * * *', startingDeadlineSeconds: 30 });
      expect(JSON.stringify(only(docs, 'Job', 'nginx-statefulset-smoke-test').spec.template.spec)).toContain('nginx-statefulset-2.nginx.default.svc.cluster.local');
    });

    test('the app wrote stor01\'s exports file outside dist/', () => {
      const exportsFile = fs.readFileSync(path.join(app, 'hosts', 'stor01', 'etc', 'exports'), 'utf8');
      expect(exportsFile).toContain([1, 2, 3, 4, 5].map((n) => `/data/volumes/v${n} 192.168.41.0/24(rw,no_root_squash)`).join('\n'));
    });

    test('the plugin also loads from the app\'s own node_modules (package: ./node_modules/cdk8s-workloads), without a second install', async () => {
      fs.writeFileSync(path.join(app, 'cdk8s.yaml'), cdk8sYaml({ package: `./node_modules/${PACKAGE.name}` }));
      const out = tempDir('consumer-local-plugin');
      const result = await run(path.join(BIN, 'cdk8s'), ['synth', '--no-check-upgrade', '--output', out], app, { npm_config_offline: 'true' });
      expect(result.output).toMatch(/cdk8s-workloads policy: 0 error\(s\), \d+ warning\(s\), [1-9]\d* suppressed/);
      expect(result.status).toBe(0);
      // The app writes the GitOps directory (dist/) itself; the CLI's --output gets the manifests only.
      expect(readManifests(out).files).toEqual(CHART_FILES);
    }, 120_000);
  });
});
