import { ConfigError } from '@peil/config';
import { loadAsOfSnapshotsConfig } from './as-of-snapshots.config';

describe('asOf snapshot and cache configuration (PEIL_ASOF_SNAPSHOT_EVERY, PEIL_ASOF_SNAPSHOTS_KEPT, PEIL_ASOF_CACHE_MB)', () => {
  it('defaults to a snapshot every 50,000 events, 40 kept per projection, 64 MiB of rendered reports', () => {
    expect(loadAsOfSnapshotsConfig({})).toEqual({ asOfSnapshotEvery: 50_000, asOfSnapshotsKept: 40, asOfCacheBytes: 64 * 2 ** 20 });
    expect(loadAsOfSnapshotsConfig({ PEIL_ASOF_SNAPSHOT_EVERY: ' ', PEIL_ASOF_SNAPSHOTS_KEPT: '' })).toEqual({ asOfSnapshotEvery: 50_000, asOfSnapshotsKept: 40, asOfCacheBytes: 64 * 2 ** 20 });
  });

  it('takes other values, 0 meaning no snapshots', () => {
    expect(loadAsOfSnapshotsConfig({ PEIL_ASOF_SNAPSHOT_EVERY: '0', PEIL_ASOF_SNAPSHOTS_KEPT: '5' })).toEqual({ asOfSnapshotEvery: 0, asOfSnapshotsKept: 5, asOfCacheBytes: 64 * 2 ** 20 });
    expect(loadAsOfSnapshotsConfig({ PEIL_ASOF_SNAPSHOT_EVERY: '10000' })).toEqual({ asOfSnapshotEvery: 10_000, asOfSnapshotsKept: 40, asOfCacheBytes: 64 * 2 ** 20 });
    expect(loadAsOfSnapshotsConfig({ PEIL_ASOF_CACHE_MB: '0' }).asOfCacheBytes).toBe(0);
    expect(loadAsOfSnapshotsConfig({ PEIL_ASOF_CACHE_MB: '16' }).asOfCacheBytes).toBe(16 * 2 ** 20);
  });

  it.each([
    [{ PEIL_ASOF_SNAPSHOT_EVERY: '-1' }, /PEIL_ASOF_SNAPSHOT_EVERY/],
    [{ PEIL_ASOF_SNAPSHOT_EVERY: '1e5' }, /PEIL_ASOF_SNAPSHOT_EVERY/],
    [{ PEIL_ASOF_SNAPSHOTS_KEPT: '0' }, /PEIL_ASOF_SNAPSHOTS_KEPT/],
    [{ PEIL_ASOF_CACHE_MB: '-1' }, /PEIL_ASOF_CACHE_MB/],
  ])('stops the start on %j with a ConfigError', (env, message) => {
    expect(() => loadAsOfSnapshotsConfig(env)).toThrow(ConfigError);
    expect(() => loadAsOfSnapshotsConfig(env)).toThrow(message);
  });
});
