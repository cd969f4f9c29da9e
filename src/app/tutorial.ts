import { App } from 'cdk8s';
import { WebChart } from './web';

/**
 * The tutorial's cluster, one chart per concern. Charts are added in apply order.
 * Every name is the tutorial's, corrected where the tutorial is invalid for Kubernetes 1.28.
 */
export function buildTutorialCluster(app: App): void {
  new WebChart(app, 'web');
}
