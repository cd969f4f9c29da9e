// The synth app and the reference example: `npx cdk8s synth` (or `npm run synth`) runs this file.
// It uses only the package's public API (what `from 'cdk8s-workloads'` gives a user: `../../src`).
// It writes the manifests to dist/ (CDK8S_OUTDIR) and the files for the cluster's hosts to hosts/ (CDK8S_HOST_FILES_DIR),
// which GitOps tools never read.
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { buildTutorialCluster, tutorialHostFiles } from './tutorial';
import { AppSynthesizer, SynthWarnings } from '../../src';

const app = new App();
const cluster = buildTutorialCluster(app);
AppSynthesizer.synth(app); // validates everything first: on an error nothing is written
for (const warning of SynthWarnings.of(app)) process.stderr.write(`warning: ${warning}\n`);

const hostFilesDir = process.env.CDK8S_HOST_FILES_DIR ?? path.join(__dirname, '..', '..', 'hosts');
for (const [file, content] of Object.entries(tutorialHostFiles(cluster))) {
  fs.mkdirSync(path.dirname(path.join(hostFilesDir, file)), { recursive: true });
  fs.writeFileSync(path.join(hostFilesDir, file), content);
}
