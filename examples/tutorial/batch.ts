import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { BatchJob, PodImagePullPolicy, JobRestartPolicy, ScheduledJob } from '../../src';

// Small, fixed requests: these pods print a line or compute 2000 digits of pi.
const TINY = { cpuRequest: '10m', cpuLimit: '100m', memoryRequest: '16Mi', memoryLimit: '32Mi' };

/**
 * The tutorial's batch workloads in the default namespace: a one-off Job, a Job that fails to
 * show retries, and a CronJob every minute, as `batch/v1` (the tutorial's `batch/v1beta1` CronJob
 * is gone since Kubernetes 1.25). Both images run as the default non-root user with a read-only
 * root filesystem: they write nothing.
 */
export class BatchChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id, { namespace: 'default' });

    // The tutorial says `perl`; pinned to the tag the Kubernetes Job example uses.
    new BatchJob(this, 'pi', {
      containers: [{
        name: 'pi',
        image: 'perl:5.34.0',
        command: ['perl', '-Mbignum=bpi', '-wle', 'print bpi(2000)'],
        resources: { cpuRequest: '100m', cpuLimit: '500m', memoryRequest: '64Mi', memoryLimit: '128Mi' },
      }],
      restartPolicy: JobRestartPolicy.NEVER,
      backoffLimit: 4,
    });

    // Fails on purpose: watch the Job retry twice, then give up (BackoffLimitExceeded).
    new BatchJob(this, 'busybox', {
      containers: [{
        name: 'busybox',
        image: 'busybox:1.28.4',
        imagePullPolicy: PodImagePullPolicy.IF_NOT_PRESENT,
        args: ['/bin/sh', '-c', 'sleep 10;date;exit 1'],
        resources: TINY,
      }],
      restartPolicy: JobRestartPolicy.NEVER,
      backoffLimit: 2,
    });

    new ScheduledJob(this, 'hello', {
      schedule: '*/1 * * * *',
      // Not in the tutorial: a run more than 30 s late is skipped rather than started late.
      startingDeadlineSeconds: 30,
      containers: [{
        name: 'hello',
        image: 'busybox:1.28.4',
        args: ['/bin/sh', '-c', 'date; echo Hello from the Kubernetes cluster'],
        resources: TINY,
      }],
      restartPolicy: JobRestartPolicy.ON_FAILURE,
    });
  }
}
