/**
 * The filesystem reader: node_exporter's filters and mount-table escapes on a fixture mount table,
 * statfs answers mapped to bytes, a failing and a stuck statfs reported as device errors (never
 * blocking), and the live root filesystem against statfs itself.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FilesystemReader } from '../../src/sampling/filesystems.js';

function fixture(mounts: string): { root: string; done(): void } {
  const root = mkdtempSync(join(tmpdir(), 'perfscope-fs-'));
  mkdirSync(join(root, '1'));
  writeFileSync(join(root, '1', 'mounts'), mounts);
  return { root, done: () => rmSync(root, { recursive: true, force: true }) };
}

const table = [
  'proc /proc proc rw,relatime 0 0',
  '/dev/vda / ext4 rw,relatime 0 0',
  'tmpfs /dev/shm tmpfs rw 0 0',
  'cgroup2 /sys/fs/cgroup cgroup2 rw 0 0',
  '/dev/vdb /data\\040disk xfs ro,noatime 0 0',
  'overlay /var/lib/docker/overlay2/x/merged overlay rw 0 0',
  'nfs-server:/export /mnt/nfs nfs4 rw 0 0',
  '/dev/vdc /data\\040disk xfs rw 0 0', // mounted over the previous one: this one is on top
  '',
].join('\n');

test('mount table: node_exporter filters, octal escapes, the top (last) mount of a mount point, statfs bytes', async () => {
  const f = fixture(table);
  const calls: string[] = [];
  const r = new FilesystemReader({
    procRoot: f.root,
    statfs: (path, cb) => {
      calls.push(path);
      if (path === '/mnt/nfs') return; // never answers: a stuck NFS server
      setImmediate(() => cb(null, { bsize: 4096, blocks: 1000, bfree: 600, bavail: 500, files: 100, ffree: 40 }));
    },
    stuckAfterMs: 50,
  });
  r.refresh();
  await r.settled(30);
  const fs = r.current();
  assert.deepEqual(
    fs.map((m) => [m.device, m.fstype, m.mountpoint, m.readonly]),
    [
      ['/dev/vda', 'ext4', '/', false],
      ['nfs-server:/export', 'nfs4', '/mnt/nfs', false],
      ['/dev/vdc', 'xfs', '/data disk', false],
    ],
  );
  const root = fs[0]!;
  assert.deepEqual([root.sizeBytes, root.freeBytes, root.availBytes, root.files, root.filesFree, root.deviceError], [4096000, 2457600, 2048000, 100, 40, false]);
  // The stuck mount is asked once, reported after stuckAfterMs, and not asked again while pending.
  await new Promise((res) => setTimeout(res, 80));
  r.refresh();
  r.refresh();
  assert.equal(calls.filter((c) => c === '/mnt/nfs').length, 1);
  assert.equal(r.current()[1]!.deviceError, true);
  assert.equal(r.errors, 1);
  assert.match(r.lastError!, /\/mnt\/nfs: no answer/);
  r.close();
  f.done();
});

test('a failing statfs is a device error and one counted fault', async () => {
  const f = fixture('/dev/vda / ext4 rw 0 0\n');
  const r = new FilesystemReader({ procRoot: f.root, statfs: (_p, cb) => setImmediate(() => cb(Object.assign(new Error('EIO'), { code: 'EIO' }), null as never)) });
  r.refresh();
  await r.settled(100);
  r.refresh();
  await r.settled(100);
  assert.equal(r.current()[0]!.deviceError, true);
  assert.equal(r.errors, 1, 'reported once while it keeps failing');
  r.close();
  f.done();
});

test('live: the root filesystem matches statfs', async () => {
  const r = new FilesystemReader();
  r.refresh();
  await r.settled(2000);
  const root = r.current().find((m) => m.mountpoint === '/');
  assert.ok(root, 'root is mounted and not excluded');
  const s = statfsSync('/');
  assert.equal(root.sizeBytes, s.blocks * s.bsize);
  assert.equal(root.files, s.files);
  assert.ok(Math.abs(root.availBytes - s.bavail * s.bsize) < 256 * 1024 * 1024);
  r.close();
});
