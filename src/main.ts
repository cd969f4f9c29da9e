// The synth app: `npx cdk8s synth` (or `npm run synth`) runs this file. It writes the manifests to
// dist/ (CDK8S_OUTDIR) and the files for the cluster's hosts to hosts/ (CDK8S_HOST_FILES_DIR),
// which GitOps tools never read.
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { buildTutorialCluster, tutorialHostFiles } from './app/tutorial';
import { AppSynthesizer } from './synth';
import { warningsOf } from './validation/warnings';

const app = new App();
const cluster = buildTutorialCluster(app);
AppSynthesizer.synth(app); // validates everything first: on an error nothing is written
for (const warning of warningsOf(app)) process.stderr.write(`warning: ${warning}\n`);

const hostFilesDir = process.env.CDK8S_HOST_FILES_DIR ?? path.join(__dirname, '..', 'hosts');
for (const [file, content] of Object.entries(tutorialHostFiles(cluster))) {
  fs.mkdirSync(path.dirname(path.join(hostFilesDir, file)), { recursive: true });
  fs.writeFileSync(path.join(hostFilesDir, file), content);
}
