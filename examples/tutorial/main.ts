// The synth app and the reference example: `npx cdk8s synth` (or `npm run synth`) runs this file in the project's
// root. It uses only the package's public API (`../../src` is what `from 'cdk8s-workloads'` gives a user).
//
// dist/ is the GitOps directory. It changes only when the whole synthesis succeeded (construct validation, the
// API server's rules on every manifest, the policy, the change guard), in one step, and only in the files a
// synthesis wrote. cdk8s-cli deletes its own output directory before it runs the app, so cdk8s.yaml points that
// at the scratch cdk8s.out/; the app writes dist/ itself and copies the manifests to cdk8s.out/ for --stdout and
// --format helm. The files for the cluster's hosts go to hosts/, which GitOps tools never read.
// CDK8S_GITOPS_DIR and CDK8S_HOST_FILES_DIR redirect the two directories (the Argo CD plugin uses them).
import { App } from 'cdk8s';
import { buildTutorialCluster, tutorialHostFiles } from './tutorial';
import { AppSynthesizer, OutputDirectory } from '../../src';

const app = new App();
const cluster = buildTutorialCluster(app);
const result = AppSynthesizer.synth(app, {
  outdir: process.env.CDK8S_GITOPS_DIR ?? 'dist',
  cliOutdir: process.env.CDK8S_OUTDIR,
  policy: {},
});
// AppSynthesizer has printed every warning (the constructs' and the policy's) once, with its construct path.
const suppressed = result.policyFindings.filter((f) => f.suppressedBecause).length;
process.stderr.write(`checks: 0 error(s), ${result.warnings.length} warning(s), ${suppressed} justified suppression(s)\n`);

// stor01's /etc/exports, written with the same rules as dist/; `--stdout` and `--format helm` only show the manifests.
if (!result.previewOnly) {
  process.stderr.write(`dist/: ${result.change.kept.length} file(s) that no synthesis wrote kept as they were\n`);
  const hostFiles = Object.entries(tutorialHostFiles(cluster)).map(([fileName, content]) => ({ fileName, content }));
  new OutputDirectory(process.env.CDK8S_HOST_FILES_DIR ?? 'hosts').replace(hostFiles);
}
