import { AccessMode, BindableVolume, BindingMismatch, ClaimRequest, VolumeBinding, VolumeMode } from '../src';
import { errorOf } from './util';
import { LEGACY_STORAGE_CLASS_ANNOTATION } from '../src/workload/storage';

const RWO = AccessMode.READ_WRITE_ONCE;
const RWX = AccessMode.READ_WRITE_MANY;
const ROX = AccessMode.READ_ONLY_MANY;

function claim(overrides: Partial<ClaimRequest> = {}): ClaimRequest {
  return { name: 'data-db-0', namespace: 'default', storage: '2Gi', accessModes: [RWO], storageClassName: 'nfs', ...overrides };
}

function volume(overrides: Partial<BindableVolume> = {}): BindableVolume {
  return { name: 'pv', capacity: '2Gi', accessModes: [RWO], storageClassName: 'nfs', ...overrides };
}

/** The single rejection of the one claim against the one volume. */
function mismatch(c: ClaimRequest, v: BindableVolume) {
  const result = VolumeBinding.simulate([c], [v]);
  expect(result.ok).toBe(false);
  expect(result.claims[0].volume).toBeUndefined();
  expect(result.claims[0].rejections).toHaveLength(1);
  return result.claims[0].rejections[0];
}


describe('which volume a claim binds', () => {
  test('a matching volume binds, and the result lists what is left', () => {
    const result = VolumeBinding.simulate([claim()], [volume({ name: 'a' }), volume({ name: 'b' })]);
    expect(result.ok).toBe(true);
    expect(result.claims).toEqual([{ claim: 'data-db-0', namespace: 'default', storageClass: 'nfs', volume: 'a', rejections: [] }]);
    expect(result.bound.map((b) => b.claim)).toEqual(['data-db-0']);
    expect(result.unbound).toEqual([]);
    expect(result.freeVolumes).toEqual(['b']);
  });

  test('the smallest volume that fits wins, whatever the quantity units', () => {
    const result = VolumeBinding.simulate([claim({ storage: '500Mi' })], [
      volume({ name: 'big', capacity: '2Gi' }),
      volume({ name: 'small', capacity: '600M' }),
      volume({ name: 'tiny', capacity: '400Mi' }),
    ]);
    expect(result.claims[0].volume).toBe('small');
  });

  test('a volume with fewer access modes wins over a smaller one with more (the access-mode index order)', () => {
    const result = VolumeBinding.simulate([claim()], [
      volume({ name: 'rwx-rwo', capacity: '2Gi', accessModes: [RWX, RWO] }),
      volume({ name: 'rwo', capacity: '5Gi', accessModes: [RWO] }),
    ]);
    expect(result.claims[0].volume).toBe('rwo');
  });

  test('ties go to the volume listed first', () => {
    expect(VolumeBinding.simulate([claim()], [volume({ name: 'x' }), volume({ name: 'y' })]).claims[0].volume).toBe('x');
  });

  test('a volume binds at most one claim; later claims see it as taken', () => {
    const result = VolumeBinding.simulate([claim({ name: 'c0' }), claim({ name: 'c1' })], [volume({ name: 'only' })]);
    expect(result.claims.map((c) => c.volume)).toEqual(['only', undefined]);
    expect(result.unbound[0].rejections).toEqual([{ volume: 'only', mismatch: BindingMismatch.ALREADY_BOUND, detail: 'is already bound to claim default/c0' }]);
    expect(result.unbound[0].reason).toBe('no PersistentVolume fits: only is already bound to claim default/c0');
  });

  test('no volumes at all', () => {
    expect(VolumeBinding.simulate([claim()], []).claims[0].reason).toBe('there are no PersistentVolumes to bind');
  });

  test('describeUnbound names each pending claim with its namespace', () => {
    const result = VolumeBinding.simulate([claim({ name: 'c0' }), claim({ name: 'c1', namespace: 'db' })], [volume()]);
    expect(VolumeBinding.describeUnbound(result)).toEqual([
      'claim db/c1 stays Pending: no PersistentVolume fits: pv is already bound to claim default/c0',
    ]);
  });
});

describe('each mismatch reason', () => {
  test('storage class', () => {
    expect(mismatch(claim({ storageClassName: 'fast' }), volume())).toEqual({
      volume: 'pv', mismatch: BindingMismatch.STORAGE_CLASS, detail: 'has class "nfs", the claim asks for "fast"',
    });
  });

  test('access modes: every requested mode must be offered (RWX does not include RWO)', () => {
    expect(mismatch(claim({ accessModes: [RWO, ROX] }), volume({ accessModes: [RWO, RWX] }))).toEqual({
      volume: 'pv', mismatch: BindingMismatch.ACCESS_MODES, detail: 'has access modes [ReadWriteOnce, ReadWriteMany], not ReadOnlyMany',
    });
    expect(mismatch(claim(), volume({ accessModes: [RWX] })).mismatch).toBe(BindingMismatch.ACCESS_MODES);
  });

  test('capacity', () => {
    expect(mismatch(claim(), volume({ capacity: '1Gi' }))).toEqual({
      volume: 'pv', mismatch: BindingMismatch.CAPACITY, detail: 'capacity 1Gi is less than the requested 2Gi',
    });
    // 2G (decimal) is less than 2Gi (binary).
    expect(mismatch(claim(), volume({ capacity: '2G' })).mismatch).toBe(BindingMismatch.CAPACITY);
  });

  test('selector', () => {
    expect(mismatch(claim({ selector: { tier: 'db', zone: 'a' } }), volume({ labels: { tier: 'db' } }))).toEqual({
      volume: 'pv', mismatch: BindingMismatch.SELECTOR, detail: 'labels do not match the selector (zone=a)',
    });
    expect(VolumeBinding.simulate([claim({ selector: { tier: 'db' } })], [volume({ labels: { tier: 'db', x: 'y' } })]).ok).toBe(true);
  });

  test('volume mode (unset is Filesystem on both sides)', () => {
    expect(mismatch(claim({ volumeMode: VolumeMode.BLOCK }), volume())).toEqual({
      volume: 'pv', mismatch: BindingMismatch.VOLUME_MODE, detail: 'is a Filesystem volume, the claim asks for Block',
    });
    expect(VolumeBinding.simulate([claim({ volumeMode: VolumeMode.FILESYSTEM })], [volume()]).ok).toBe(true);
    expect(VolumeBinding.simulate([claim()], [volume({ volumeMode: VolumeMode.FILESYSTEM })]).ok).toBe(true);
  });

  test('reserved for another claim (claimRef)', () => {
    expect(mismatch(claim(), volume({ claimRef: { name: 'other', namespace: 'default' } }))).toEqual({
      volume: 'pv', mismatch: BindingMismatch.RESERVED, detail: 'is reserved for claim default/other (claimRef)',
    });
    // Same name, other namespace: still someone else's.
    expect(mismatch(claim(), volume({ claimRef: { name: 'data-db-0', namespace: 'db' } })).mismatch).toBe(BindingMismatch.RESERVED);
  });

  test('checks run in the controller\'s order: the first failing rule is reported', () => {
    expect(mismatch(claim({ storageClassName: 'x', selector: { a: 'b' } }), volume({ capacity: '1Gi', accessModes: [RWX] })).mismatch)
      .toBe(BindingMismatch.ACCESS_MODES);
    expect(mismatch(claim({ storageClassName: 'x', selector: { a: 'b' } }), volume({ capacity: '1Gi' })).mismatch).toBe(BindingMismatch.CAPACITY);
    expect(mismatch(claim({ storageClassName: 'x', selector: { a: 'b' } }), volume()).mismatch).toBe(BindingMismatch.SELECTOR);
  });

  test('an unbound claim lists every volume\'s reason', () => {
    const result = VolumeBinding.simulate([claim()], [volume({ name: 'a', capacity: '1Gi' }), volume({ name: 'b', storageClassName: 'slow' })]);
    expect(result.claims[0].rejections.map((r) => r.mismatch)).toEqual([BindingMismatch.CAPACITY, BindingMismatch.STORAGE_CLASS]);
    expect(result.claims[0].reason).toBe('no PersistentVolume fits: a capacity 1Gi is less than the requested 2Gi; b has class "slow", the claim asks for "nfs"');
  });
});

describe('storage classes', () => {
  test('the legacy annotation is the class, and wins over spec.storageClassName', () => {
    const annotated = claim({ storageClassName: 'ignored', annotations: { [LEGACY_STORAGE_CLASS_ANNOTATION]: 'nfs' } });
    const result = VolumeBinding.simulate([annotated], [volume()]);
    expect(result.claims[0]).toMatchObject({ volume: 'pv', storageClass: 'nfs' });
  });

  test('a claim with no class binds class-less volumes when the cluster has no default class ("" and unset alike)', () => {
    const classless = volume({ storageClassName: undefined });
    expect(VolumeBinding.simulate([claim({ storageClassName: undefined })], [classless]).ok).toBe(true);
    expect(VolumeBinding.simulate([claim({ storageClassName: '' })], [classless]).ok).toBe(true);
    expect(VolumeBinding.simulate([claim({ storageClassName: '' })], [volume({ storageClassName: '' })]).ok).toBe(true);
    expect(mismatch(claim({ storageClassName: '' }), volume()).detail).toBe('has class "nfs", the claim asks for "" (none)');
  });

  test('with a default StorageClass, an unset class takes it, but "" still asks for no class', () => {
    const classless = volume({ storageClassName: undefined });
    const unset = VolumeBinding.simulate([claim({ storageClassName: undefined })], [classless], { defaultStorageClass: 'standard' });
    expect(unset.claims[0].storageClass).toBe('standard');
    expect(unset.claims[0].rejections[0]).toEqual({
      volume: 'pv',
      mismatch: BindingMismatch.STORAGE_CLASS,
      detail: 'has class "" (none), the claim asks for "standard" (the default StorageClass it gets for setting no class)',
    });
    expect(VolumeBinding.simulate([claim({ storageClassName: '' })], [classless], { defaultStorageClass: 'standard' }).ok).toBe(true);
    // An explicit class is not replaced by the default.
    expect(VolumeBinding.simulate([claim()], [volume()], { defaultStorageClass: 'standard' }).ok).toBe(true);
  });
});

describe('pre-bound volumes (claimRef)', () => {
  test('the reserved volume wins over a better match, without comparing class or selector', () => {
    const reserved = volume({ name: 'reserved', capacity: '10Gi', storageClassName: 'other', claimRef: { name: 'data-db-0', namespace: 'default' } });
    const result = VolumeBinding.simulate([claim({ selector: { a: 'b' } })], [volume({ name: 'free', labels: { a: 'b' } }), reserved]);
    expect(result.claims[0].volume).toBe('reserved');
    expect(result.freeVolumes).toEqual(['free']);
  });

  test('a reserved volume loses to a fitting volume with fewer access modes (the controller searches that mode set first)', () => {
    const reserved = volume({ name: 'reserved', accessModes: [RWX, RWO], claimRef: { name: 'data-db-0', namespace: 'default' } });
    const result = VolumeBinding.simulate([claim()], [reserved, volume({ name: 'rwo-only' })]);
    expect(result.claims[0].volume).toBe('rwo-only');
    expect(result.freeVolumes).toEqual(['reserved']);
    // With the same modes, the reservation wins whatever the order.
    expect(VolumeBinding.simulate([claim()], [volume({ name: 'free' }), { ...reserved, accessModes: [RWO] }]).claims[0].volume).toBe('reserved');
  });

  test('a claim without a namespace matches claimRefs in the default namespace', () => {
    const reserved = volume({ claimRef: { name: 'data-db-0', namespace: 'apps' } });
    expect(VolumeBinding.simulate([claim({ namespace: undefined })], [reserved], { defaultNamespace: 'apps' }).ok).toBe(true);
    expect(VolumeBinding.simulate([claim({ namespace: undefined })], [reserved]).ok).toBe(false);
  });

  test('the reserved volume still needs the size, modes and volume mode', () => {
    const ref = { name: 'data-db-0', namespace: 'default' };
    expect(mismatch(claim(), volume({ claimRef: ref, capacity: '1Gi' })).mismatch).toBe(BindingMismatch.CAPACITY);
    expect(mismatch(claim(), volume({ claimRef: ref, accessModes: [ROX] })).mismatch).toBe(BindingMismatch.ACCESS_MODES);
    expect(mismatch(claim({ volumeMode: VolumeMode.BLOCK }), volume({ claimRef: ref })).mismatch).toBe(BindingMismatch.VOLUME_MODE);
  });
});

describe('bad input', () => {
  test.each([
    ['claims[0].storage "2GB": must be a Kubernetes quantity', [claim({ storage: '2GB' })], [volume()]],
    ['claims[0].storage "0": must be greater than zero', [claim({ storage: '0' })], [volume()]],
    ['claims[0].accessModes []: needs at least one access mode', [claim({ accessModes: [] })], [volume()]],
    ['claims[0].accessModes[0] "ReadWriteAll": is not an access mode', [claim({ accessModes: ['ReadWriteAll' as AccessMode] })], [volume()]],
    ['claims[0].selector key "-x": the name part', [claim({ selector: { '-x': 'y' } })], [volume()]],
    ['volumes[1].capacity "lots": must be a Kubernetes quantity', [claim()], [volume(), volume({ capacity: 'lots' })]],
    ['volumes[0].accessModes[1] "ReadWriteOnce": is listed twice', [claim()], [volume({ accessModes: [RWO, RWO] })]],
    ['volumes[0].accessModes ["ReadWriteOncePod","ReadWriteOnce"]: ReadWriteOncePod may not be combined', [claim()], [volume({ accessModes: [AccessMode.READ_WRITE_ONCE_POD, RWO] })]],
  ])('%s', (message, claims, volumes) => {
    const text = errorOf(() => VolumeBinding.simulate(claims, volumes));
    expect(text).toContain(`[VolumeBinding.simulate] ${message}`);
    expect(text).toMatch(/; \S/); // and a fix
  });
});
