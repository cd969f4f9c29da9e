// The synth app: `npx cdk8s synth` (or `npm run synth`) runs this file and writes dist/.
import { App } from 'cdk8s';
import { buildTutorialCluster } from './app/tutorial';
import { AppSynthesizer } from './synth';

const app = new App();
buildTutorialCluster(app);
AppSynthesizer.synth(app);
