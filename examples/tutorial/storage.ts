import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { AccessMode, ClaimRequest, NfsVolumeSet } from '../../src';

/** The NFS server of the tutorial, and the one network its nodes mount from. */
export const NFS_SERVER = 'stor01';
export const NFS_CLIENTS = '192.168.41.0/24';
/**
 * The class the tutorial's `myapp` claims ask for through the legacy annotation. The volumes carry it
 * and the chart defines it as a StorageClass without a provisioner, so the claims bind to these volumes
 * and nothing else (no default StorageClass, no dynamic provisioner) can take them.
 */
export const NFS_STORAGE_CLASS = 'nfs-client-storageclass';

/** Props of the {@link StorageChart}. */
export interface StorageChartProps {
  /** Claims that must bind to the volumes (e.g. the `myapp` StatefulApp's); checked at synthesis. @default - none */
  readonly claims?: ClaimRequest[];
}

/**
 * The tutorial's static NFS volumes `pv001`..`pv005` on `stor01` (`/data/volumes/v1`..`v5`):
 * pv001 1Gi RWX+RWO, pv002 2Gi RWO only, pv003..pv005 2Gi RWX+RWO.
 */
export class StorageChart extends Chart {
  /** The five volumes. */
  public readonly volumes: NfsVolumeSet;

  constructor(scope: Construct, id: string, props: StorageChartProps = {}) {
    super(scope, id);

    this.volumes = new NfsVolumeSet(this, 'nfs', {
      server: NFS_SERVER,
      capacity: '2Gi',
      accessModes: [AccessMode.READ_WRITE_MANY, AccessMode.READ_WRITE_ONCE],
      storageClassName: NFS_STORAGE_CLASS,
      storageClass: {},
      exports: [{ cidr: NFS_CLIENTS }],
      numbered: {
        count: 5,
        pathFormat: '/data/volumes/v%d',
        overrides: {
          pv001: { capacity: '1Gi' },
          pv002: { accessModes: [AccessMode.READ_WRITE_ONCE] },
        },
      },
    });
    if (props.claims) this.volumes.checkBinding(props.claims);
  }

  /** `/etc/exports` for stor01; the synth app writes it to `hosts/stor01/etc/exports` (outside dist/). */
  public exportsFile(): string {
    return this.volumes.exportsFile(NFS_SERVER);
  }
}

/** Where the synth app writes stor01's exports file, relative to the host-files directory `hosts/` (outside dist/). */
export const NFS_EXPORTS_FILE = `${NFS_SERVER}/etc/exports`;
