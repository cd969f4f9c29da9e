// Builds a cdk8s-plus line of the package: the same sources, compiled by jsii against another cdk8s-plus
// (cdk8s-plus is published once per Kubernetes version, and its classes are nominal types, so a library
// typed against cdk8s-plus-28 cannot accept cdk8s-plus-33 objects). The only change to the sources is the
// module specifier 'cdk8s-plus-28' -> 'cdk8s-plus-<n>'; the rendered manifests stay Kubernetes 1.28.
// Tests build the other lines this way, into a scratch directory (test/support/user-project.ts).
// Usage: `npx projen line:plus-33` (node projenrc/plus-line.js 33 [--pack <dir>]). Output: lines/cdk8s-plus-<n>/,
// gitignored and rebuilt from scratch on every run. docs/packaging.md, "cdk8s-plus lines".
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const ROOT = path.join(__dirname, '..');
const PRIMARY = 'cdk8s-plus-28';

/** The import specifier rewrite, and nothing else: comments that mention cdk8s-plus-28 stay as they are. */
function rewriteSource(text, plus) {
  return text.replace(/(from |require\()'cdk8s-plus-28'/g, `$1'${plus}'`);
}

/** package.json of the line: the root's published fields, its own name, cdk8s-plus-<n> as the peer. */
function linePackage(rootPackage, plus) {
  const { scripts, devDependencies, devEngines, jest, ...published } = rootPackage;
  if (plus === PRIMARY) return { ...published, devDependencies: Object.fromEntries(Object.keys(published.peerDependencies).map((p) => [p, devDependencies[p]])) };
  const plusVersion = devDependencies[plus];
  if (!plusVersion) throw new Error(`${plus} is not a devDependency: add it in .projenrc.ts (CDK8S_PLUS_<n>) and run npx projen`);
  const peerDependencies = { ...published.peerDependencies };
  delete peerDependencies[PRIMARY];
  peerDependencies[plus] = `^${plusVersion}`;
  return {
    ...published,
    name: `${rootPackage.name}-${plus.replace(/^cdk8s-/, '')}`,
    description: published.description.replace(/\.$/, '') + ` (built against ${plus}; the manifests are for Kubernetes 1.28).`,
    peerDependencies,
    // jsii reads the peers' assemblies from here; the versions are the ones this repository installs.
    devDependencies: Object.fromEntries(Object.keys(peerDependencies).map((p) => [p, devDependencies[p]])),
  };
}

/** Writes `dir` (default lines/<plus>/) and compiles it with jsii; returns it. Line 28 is the primary package itself. */
function buildLine(n, dir = path.join(ROOT, 'lines', `cdk8s-plus-${n}`)) {
  const plus = `cdk8s-plus-${n}`;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });

  let rewritten = 0;
  fs.cpSync(path.join(ROOT, 'src'), path.join(dir, 'src'), { recursive: true });
  for (const file of plus === PRIMARY ? [] : fs.readdirSync(path.join(dir, 'src'), { recursive: true })) {
    const full = path.join(dir, 'src', file);
    if (!file.endsWith('.ts')) continue;
    const text = fs.readFileSync(full, 'utf8');
    const out = rewriteSource(text, plus);
    if (out !== text) rewritten++;
    if (/(from |require\()'cdk8s-plus-28'/.test(out)) throw new Error(`${file}: an import of ${PRIMARY} was not rewritten`);
    fs.writeFileSync(full, out);
  }
  if (rewritten === 0 && plus !== PRIMARY) throw new Error(`no source imports ${PRIMARY}: the rewrite found nothing to do`);

  const rootPackage = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(linePackage(rootPackage, plus), undefined, 2)}\n`);
  for (const file of ['tsconfig.json', 'LICENSE', 'README.md', '.npmignore', 'imports/k8s-1.28.0-schema.json']) {
    fs.cpSync(path.join(ROOT, file), path.join(dir, file));
  }
  // Bundled dependencies are packed from the package's own node_modules.
  for (const dep of rootPackage.bundledDependencies ?? []) {
    fs.cpSync(path.join(ROOT, 'node_modules', dep), path.join(dir, 'node_modules', dep), { recursive: true });
  }
  execFileSync(path.join(ROOT, 'node_modules', '.bin', 'jsii'), ['--silence-warnings=reserved-word'], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
  return dir;
}

/** Packs a built line into `destination`; returns the tarball's path. */
function packLine(dir, destination) {
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', destination], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return path.join(destination, JSON.parse(out)[0].filename);
}

module.exports = { buildLine, packLine, rewriteSource, linePackage };

if (require.main === module) {
  const [n, flag, destination] = process.argv.slice(2);
  if (!/^\d+$/.test(n ?? '')) throw new Error('usage: node projenrc/plus-line.js <kubernetes minor, e.g. 33> [--pack <dir>]');
  const dir = buildLine(n);
  console.log(`built ${path.relative(ROOT, dir)}`);
  if (flag === '--pack') console.log(packLine(dir, path.resolve(destination ?? dir)));
}
