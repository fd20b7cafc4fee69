/**
 * Mounted filesystems and their space (statfs), as node_exporter's filesystem collector reports them:
 * the mount table of PID 1 (else this process's), filtered by mount point and type, one statfs per mount.
 * statfs runs on the libuv thread pool, never on the event loop: on a dead NFS server it can block
 * for minutes, and a blocked loop would stop all sampling. A mount whose statfs has not answered
 * within `stuckAfterMs` is reported with `deviceError` and not asked again until it answers.
 */
import { statfs } from 'node:fs';
import { fromErrno } from '../core/errors.js';
import { ProcFile, resolveProcfsOptions } from './procfs.js';
import type { ProcfsOptions } from './types.js';

/** node_exporter 1.5's default mount points left out (`--collector.filesystem.mount-points-exclude`). */
export const defaultMountPointsExclude = /^\/(dev|proc|run\/credentials\/.+|sys|var\/lib\/docker\/.+|var\/lib\/containers\/storage\/.+)($|\/)/;
/** node_exporter 1.5's default filesystem types left out (`--collector.filesystem.fs-types-exclude`). */
export const defaultFsTypesExclude =
  /^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs)$/;

export interface FilesystemStats {
  device: string;
  fstype: string;
  mountpoint: string;
  /** f_blocks × f_bsize, f_bfree × f_bsize, f_bavail × f_bsize (what an unprivileged user may still write). */
  sizeBytes: number;
  freeBytes: number;
  availBytes: number;
  files: number;
  filesFree: number;
  /** Mounted with the `ro` option. */
  readonly: boolean;
  /** statfs failed or has not answered (a stuck network mount); the byte figures are then the last known or 0. */
  deviceError: boolean;
}

export interface FilesystemReaderOptions extends ProcfsOptions {
  mountPointsExclude?: RegExp;
  fsTypesExclude?: RegExp;
  /** A statfs unanswered for this long marks the mount as failed (default 5000 ms). */
  stuckAfterMs?: number;
  /** For tests: the statfs to call (default node:fs statfs). */
  statfs?: (path: string, cb: (err: NodeJS.ErrnoException | null, s: { bsize: number; blocks: number; bfree: number; bavail: number; files: number; ffree: number }) => void) => void;
  /** Monotonic ms (default performance.now). */
  nowMs?: () => number;
}

interface Mount {
  stats: FilesystemStats;
  /** Monotonic ms of the statfs in flight, or null. */
  pendingSinceMs: number | null;
  seen: boolean;
}

/**
 * Keeps the mount table open and the latest statfs of each mount. `refresh()` re-reads the mount table
 * and starts a statfs per mount (answers land asynchronously); `current()` is what is known now.
 */
export class FilesystemReader {
  private readonly mountsFile: ProcFile;
  private readonly exclude: RegExp;
  private readonly typesExclude: RegExp;
  private readonly stuckAfterMs: number;
  private readonly statfs: NonNullable<FilesystemReaderOptions['statfs']>;
  private readonly nowMs: () => number;
  private readonly mounts = new Map<string, Mount>();
  private lastText = '';
  private closed = false;
  /** statfs failures since the reader was made (a stuck mount counts once). */
  errors = 0;
  lastError: string | null = null;

  /** Opens <procRoot>/1/mounts, else <procRoot>/self/mounts; PerfscopeError if neither can be read. */
  constructor(options: FilesystemReaderOptions = {}) {
    const { procRoot } = resolveProcfsOptions(options);
    this.exclude = options.mountPointsExclude ?? defaultMountPointsExclude;
    this.typesExclude = options.fsTypesExclude ?? defaultFsTypesExclude;
    this.stuckAfterMs = options.stuckAfterMs ?? 5000;
    this.statfs = options.statfs ?? statfs;
    this.nowMs = options.nowMs ?? (() => performance.now());
    let file: ProcFile;
    try {
      file = new ProcFile(`${procRoot}/1/mounts`, 8192);
      file.read();
    } catch {
      try {
        file = new ProcFile(`${procRoot}/self/mounts`, 8192);
      } catch (err) {
        throw fromErrno(err, `cannot read ${procRoot}/self/mounts`);
      }
    }
    this.mountsFile = file;
  }

  /** Re-reads the mount table and asks statfs of every mount that has no request in flight. */
  refresh(): void {
    if (this.closed) return;
    let text: string;
    try {
      text = this.mountsFile.read();
    } catch (err) {
      this.fail(`cannot read ${this.mountsFile.path}: ${(err as Error).message}`);
      return;
    }
    if (text !== this.lastText) {
      this.lastText = text;
      this.parse(text);
    }
    const now = this.nowMs();
    for (const m of this.mounts.values()) {
      if (m.pendingSinceMs !== null) {
        if (now - m.pendingSinceMs > this.stuckAfterMs && !m.stats.deviceError) {
          m.stats.deviceError = true;
          this.fail(`statfs ${m.stats.mountpoint}: no answer for ${Math.round((now - m.pendingSinceMs) / 1000)} s (stuck mount?)`);
        }
        continue;
      }
      m.pendingSinceMs = now;
      this.statfs(m.stats.mountpoint, (err, s) => {
        m.pendingSinceMs = null;
        if (err) {
          if (!m.stats.deviceError) this.fail(`statfs ${m.stats.mountpoint}: ${err.code ?? err.message}`);
          m.stats.deviceError = true;
          return;
        }
        const st = m.stats;
        st.sizeBytes = s.blocks * s.bsize;
        st.freeBytes = s.bfree * s.bsize;
        st.availBytes = s.bavail * s.bsize;
        st.files = s.files;
        st.filesFree = s.ffree;
        st.deviceError = false;
      });
    }
  }

  /** Resolves once no statfs is in flight, or after `timeoutMs` (so a first sample has sizes, not zeros). */
  async settled(timeoutMs = 1000): Promise<void> {
    const end = this.nowMs() + timeoutMs;
    while (this.nowMs() < end && [...this.mounts.values()].some((m) => m.pendingSinceMs !== null)) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /** The mounts known now, in mount-table order (values as of the last answered statfs). */
  current(): FilesystemStats[] {
    const out: FilesystemStats[] = [];
    for (const m of this.mounts.values()) out.push(m.stats);
    return out;
  }

  close(): void {
    this.closed = true;
    this.mountsFile.close();
  }

  private fail(message: string): void {
    this.errors++;
    this.lastError = message;
  }

  /** One mount per mount point (the last one listed: it is the one on top), filtered like node_exporter. */
  private parse(text: string): void {
    for (const m of this.mounts.values()) m.seen = false;
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const f = line.split(' ');
      if (f.length < 4) continue;
      const device = unescapeMount(f[0]!);
      const mountpoint = unescapeMount(f[1]!);
      const fstype = f[2]!;
      if (this.exclude.test(mountpoint) || this.typesExclude.test(fstype)) continue;
      const readonly = f[3]!.split(',').includes('ro');
      let m = this.mounts.get(mountpoint);
      if (m === undefined || m.stats.device !== device || m.stats.fstype !== fstype) {
        if (m !== undefined) this.mounts.delete(mountpoint); // mounted over: listed where the top mount is, old values dropped
        m = {
          stats: { device, fstype, mountpoint, sizeBytes: 0, freeBytes: 0, availBytes: 0, files: 0, filesFree: 0, readonly, deviceError: false },
          pendingSinceMs: null,
          seen: true,
        };
        this.mounts.set(mountpoint, m);
      }
      m.seen = true;
      m.stats.readonly = readonly;
    }
    for (const [k, m] of this.mounts) if (!m.seen) this.mounts.delete(k);
  }
}

/** Mount table fields escape space, tab, newline and backslash as \\ooo octal. */
function unescapeMount(s: string): string {
  return s.includes('\\') ? s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))) : s;
}
