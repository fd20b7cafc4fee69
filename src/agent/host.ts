/**
 * The host's series: CPU, memory, swap, load, disks, network (SystemReader's kept-open /proc files)
 * and filesystems (mount table + statfs), written into the agent's SeriesSet under node_exporter's
 * names and labels, with node_exporter's device filters.
 */
import { FilesystemReader } from '../sampling/filesystems.js';
import { SystemReader } from '../sampling/system.js';
import type { ProcfsOptions, SystemSnapshot } from '../sampling/types.js';
import { cpuModes, serveSeries as S, type SeriesDef } from './series.js';
import { type SeriesSet } from './series-set.js';

/** node_exporter 1.5's default `--collector.diskstats.device-exclude`: partitions, loop and ram devices. */
export const diskDeviceExclude = /^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\d+n\d+p)\d+$/;
/** node_exporter's default `--collector.netdev.device-exclude` (SystemReader already leaves `lo` out). */
export const netDeviceExclude = /^lo$/;

const HOST = 'host';

/** Rates and shares of the last interval, for the live stream and the group table (null on the first tick). */
export interface HostSummary {
  /** Busy share of all CPUs (idle and iowait are not busy), 0-100; per CPU the same. */
  cpuPercent: number | null;
  cpuUserPercent: number | null;
  cpuSystemPercent: number | null;
  cpuIowaitPercent: number | null;
  cpuStealPercent: number | null;
  perCpuPercent: (number | null)[];
  memoryTotalBytes: number;
  memoryUsedBytes: number;
  memoryAvailableBytes: number;
  swapTotalBytes: number;
  swapUsedBytes: number;
  load1: number;
  load5: number;
  load15: number;
  /** Bytes per second over the last interval, summed over the devices /metrics shows. */
  diskReadBytesPerSecond: number | null;
  diskWriteBytesPerSecond: number | null;
  netReceiveBytesPerSecond: number | null;
  netTransmitBytesPerSecond: number | null;
  procsRunning: number;
  procsBlocked: number;
}

export class HostSource {
  readonly system: SystemReader;
  readonly filesystems: FilesystemReader;
  private readonly set: SeriesSet;
  private readonly slots = new Map<string, number>();
  private readonly fsSlots = new Map<string, number[]>();
  private prev: SystemSnapshot | null = null;
  private prevMs = 0;
  last: SystemSnapshot | null = null;
  summary: HostSummary | null = null;

  /** Opens the /proc files (PerfscopeError when they cannot be read). */
  constructor(set: SeriesSet, options: ProcfsOptions = {}) {
    this.set = set;
    this.system = new SystemReader({ ...options, disks: 'all' });
    try {
      this.filesystems = new FilesystemReader(options);
    } catch (err) {
      this.system.close();
      throw err;
    }
  }

  /** Starts the first statfs round and waits (up to 1 s) for it, so the first tick has sizes. */
  async prime(): Promise<void> {
    this.filesystems.refresh();
    await this.filesystems.settled(1000);
  }

  /** Reads the host and writes every host series' value. `nowMs` is monotonic, for rates. */
  sample(nowMs: number): SystemSnapshot {
    const set = this.set;
    const s = this.system.read();
    this.filesystems.refresh();
    // The slot first, then the write: add() may replace `set.values` with a larger array.
    const put = (key: string, def: SeriesDef, labels: Record<string, string>, value: number): void => {
      let idx = this.slots.get(key);
      if (idx === undefined) {
        idx = set.add(def, labels, HOST);
        this.slots.set(key, idx);
      }
      set.values[idx] = value;
    };
    for (let c = 0; c < s.perCpu.length; c++) {
      const t = s.perCpu[c]!;
      const cpu = String(c);
      for (const mode of cpuModes) put(`cpu:${c}:${mode}`, S.cpuSeconds, { cpu, mode }, t[mode]);
      put(`guest:${c}:user`, S.cpuGuestSeconds, { cpu, mode: 'user' }, t.guest);
      put(`guest:${c}:nice`, S.cpuGuestSeconds, { cpu, mode: 'nice' }, t.guestNice);
    }
    put('ctxt', S.contextSwitches, {}, s.contextSwitches);
    put('btime', S.bootTime, {}, s.bootTimeSeconds);
    put('running', S.procsRunning, {}, s.procsRunning);
    put('blocked', S.procsBlocked, {}, s.procsBlocked);
    put('MemTotal', S.memTotal, {}, s.memory.totalBytes);
    put('MemFree', S.memFree, {}, s.memory.freeBytes);
    put('MemAvailable', S.memAvailable, {}, s.memory.availableBytes);
    put('Buffers', S.memBuffers, {}, s.memory.buffersBytes);
    put('Cached', S.memCached, {}, s.memory.cachedBytes);
    put('SwapTotal', S.swapTotal, {}, s.swap.totalBytes);
    put('SwapFree', S.swapFree, {}, s.swap.freeBytes);
    put('load1', S.load1, {}, s.load.avg1);
    put('load5', S.load5, {}, s.load.avg5);
    put('load15', S.load15, {}, s.load.avg15);

    const seenDevices = new Set<string>();
    for (const d of s.disks) {
      if (diskDeviceExclude.test(d.name)) continue;
      const device = d.name;
      seenDevices.add(`disk:${device}`);
      put(`disk:${device}:rb`, S.diskReadBytes, { device }, d.readBytes);
      put(`disk:${device}:wb`, S.diskWrittenBytes, { device }, d.writeBytes);
      put(`disk:${device}:r`, S.diskReads, { device }, d.readOps);
      put(`disk:${device}:w`, S.diskWrites, { device }, d.writeOps);
      put(`disk:${device}:io`, S.diskIoTime, { device }, d.busyMs / 1000);
    }
    for (const n of s.net) {
      if (netDeviceExclude.test(n.name)) continue;
      const device = n.name;
      seenDevices.add(`net:${device}`);
      put(`net:${device}:rb`, S.netReceiveBytes, { device }, n.rxBytes);
      put(`net:${device}:tb`, S.netTransmitBytes, { device }, n.txBytes);
      put(`net:${device}:rp`, S.netReceivePackets, { device }, n.rxPackets);
      put(`net:${device}:tp`, S.netTransmitPackets, { device }, n.txPackets);
      put(`net:${device}:re`, S.netReceiveErrs, { device }, n.rxErrors);
      put(`net:${device}:te`, S.netTransmitErrs, { device }, n.txErrors);
      put(`net:${device}:rd`, S.netReceiveDrop, { device }, n.rxDrops);
      put(`net:${device}:td`, S.netTransmitDrop, { device }, n.txDrops);
    }
    this.retireGone(seenDevices);
    this.sampleFilesystems();
    this.summarize(s, nowMs);
    this.last = s;
    return s;
  }

  /** Devices that disappeared (a USB disk, a container's veth): their series are retired. */
  private retireGone(seen: Set<string>): void {
    for (const [key, idx] of this.slots) {
      if (!(key.startsWith('disk:') || key.startsWith('net:'))) continue;
      const device = key.slice(0, key.lastIndexOf(':'));
      if (seen.has(device)) continue;
      this.set.retire(idx);
      this.slots.delete(key);
    }
  }

  private sampleFilesystems(): void {
    const set = this.set;
    const seen = new Set<string>();
    for (const f of this.filesystems.current()) {
      const key = `${f.device}\u0000${f.fstype}\u0000${f.mountpoint}`;
      seen.add(key);
      let slots = this.fsSlots.get(key);
      if (slots === undefined) {
        const labels = { device: f.device, fstype: f.fstype, mountpoint: f.mountpoint };
        slots = [S.fsSize, S.fsFree, S.fsAvail, S.fsFiles, S.fsFilesFree, S.fsReadonly, S.fsDeviceError].map((def) => set.add(def, labels, HOST));
        this.fsSlots.set(key, slots);
      }
      const v = set.values;
      const known = f.sizeBytes > 0 || f.files > 0 || !f.deviceError;
      v[slots[0]!] = known ? f.sizeBytes : NaN;
      v[slots[1]!] = known ? f.freeBytes : NaN;
      v[slots[2]!] = known ? f.availBytes : NaN;
      v[slots[3]!] = known ? f.files : NaN;
      v[slots[4]!] = known ? f.filesFree : NaN;
      v[slots[5]!] = f.readonly ? 1 : 0;
      v[slots[6]!] = f.deviceError ? 1 : 0;
    }
    for (const [key, slots] of this.fsSlots) {
      if (seen.has(key)) continue;
      for (const s of slots) set.retire(s);
      this.fsSlots.delete(key);
    }
  }

  private summarize(s: SystemSnapshot, nowMs: number): void {
    const prev = this.prev;
    const dt = (nowMs - this.prevMs) / 1000;
    const share = (a: SystemSnapshot['cpu'] | undefined, b: SystemSnapshot['cpu']): [number, number, number, number, number] | null => {
      if (a === undefined) return null;
      const d = (k: keyof SystemSnapshot['cpu']): number => Math.max(0, b[k] - a[k]);
      const total = d('user') + d('nice') + d('system') + d('idle') + d('iowait') + d('irq') + d('softirq') + d('steal');
      if (!(total > 0)) return [0, 0, 0, 0, 0];
      const pct = (x: number): number => (x / total) * 100;
      return [pct(total - d('idle') - d('iowait')), pct(d('user') + d('nice')), pct(d('system') + d('irq') + d('softirq')), pct(d('iowait')), pct(d('steal'))];
    };
    const all = share(prev?.cpu, s.cpu);
    let dr = 0;
    let dw = 0;
    let rx = 0;
    let tx = 0;
    const sumDisk = (x: SystemSnapshot): [number, number] => {
      let r = 0;
      let w = 0;
      for (const d of x.disks) {
        if (diskDeviceExclude.test(d.name)) continue;
        r += d.readBytes;
        w += d.writeBytes;
      }
      return [r, w];
    };
    const sumNet = (x: SystemSnapshot): [number, number] => {
      let r = 0;
      let t = 0;
      for (const n of x.net) {
        r += n.rxBytes;
        t += n.txBytes;
      }
      return [r, t];
    };
    const rate = (a: number, b: number): number | null => (prev !== null && dt > 0 && b >= a ? (b - a) / dt : null);
    const [r1, w1] = sumDisk(s);
    const [x1, t1] = sumNet(s);
    if (prev !== null) {
      [dr, dw] = sumDisk(prev);
      [rx, tx] = sumNet(prev);
    }
    this.summary = {
      cpuPercent: all?.[0] ?? null,
      cpuUserPercent: all?.[1] ?? null,
      cpuSystemPercent: all?.[2] ?? null,
      cpuIowaitPercent: all?.[3] ?? null,
      cpuStealPercent: all?.[4] ?? null,
      perCpuPercent: s.perCpu.map((c, i) => share(prev?.perCpu[i], c)?.[0] ?? null),
      memoryTotalBytes: s.memory.totalBytes,
      memoryUsedBytes: s.memory.usedBytes,
      memoryAvailableBytes: s.memory.availableBytes,
      swapTotalBytes: s.swap.totalBytes,
      swapUsedBytes: s.swap.usedBytes,
      load1: s.load.avg1,
      load5: s.load.avg5,
      load15: s.load.avg15,
      diskReadBytesPerSecond: rate(dr, r1),
      diskWriteBytesPerSecond: rate(dw, w1),
      netReceiveBytesPerSecond: rate(rx, x1),
      netTransmitBytesPerSecond: rate(tx, t1),
      procsRunning: s.procsRunning,
      procsBlocked: s.procsBlocked,
    };
    this.prev = s;
    this.prevMs = nowMs;
  }

  close(): void {
    this.system.close();
    this.filesystems.close();
  }
}
