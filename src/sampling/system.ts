/**
 * System-wide snapshots from five kept-open files: /proc/stat, meminfo, loadavg, diskstats and
 * net/dev, each re-read with pread and parsed by hand.
 */
import { fromErrno } from '../core/errors.js';
import { assertSupported } from './platform.js';
import { ProcFile, Scanner, readAuxv, resolveProcfsOptions } from './procfs.js';
import type { CaptureSlot } from './native.js';
import type { CpuTimes, DiskCounters, NetCounters, ProcfsOptions, SystemSnapshot } from './types.js';

export interface SystemReaderOptions extends ProcfsOptions {
  /**
   * Which /proc/diskstats rows `read()` returns: 'whole' (default) whole disks only (see
   * wholeDiskNames), 'all' every row, for callers with their own filter (serve applies node_exporter's).
   */
  disks?: 'whole' | 'all';
}

const SECTOR_BYTES = 512;

/**
 * Whole-disk filter for /proc/diskstats without /sys/block (fixture trees have none). A device is
 * left out when it is loop*, ram* or zram* (memory-backed), or when it is a partition of another
 * listed device: `<disk><digits>` for a disk whose name ends in a letter (sda1, vda2, xvdb3), and
 * `<disk>p<digits>` for one ending in a digit (nvme0n1p1, mmcblk0p2, md0p1). That split keeps md1
 * next to md10 and dm-0 next to dm-1: both whole devices.
 */
export function wholeDiskNames(names: readonly string[]): Set<string> {
  const all = new Set(names);
  const keep = new Set<string>();
  for (const name of names) {
    if (name.startsWith('loop') || name.startsWith('ram') || name.startsWith('zram')) continue;
    if (!isPartition(name, all)) keep.add(name);
  }
  return keep;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isPartition(name: string, all: Set<string>): boolean {
  let i = name.length;
  while (i > 0 && isDigit(name.charCodeAt(i - 1))) i--;
  if (i === name.length || i === 0) return false; // no trailing number, or all digits
  const base = name.slice(0, i);
  if (!isDigit(base.charCodeAt(base.length - 1)) && all.has(base)) return true; // sda1
  // nvme0n1p1: base "nvme0n1p", disk "nvme0n1" ends in a digit.
  if (base.endsWith('p') && base.length > 1) {
    const disk = base.slice(0, -1);
    return isDigit(disk.charCodeAt(disk.length - 1)) && all.has(disk);
  }
  return false;
}

/**
 * Reads system-wide counters. The constructor opens the five files (PerfscopeError ENOTFOUND or
 * EACCESS if one cannot be opened); `read()` re-reads them. Counters are cumulative since boot;
 * CPU times in seconds (USER_HZ ticks converted). `close()` releases the fds.
 */
export class SystemReader {
  private readonly files: { stat: ProcFile; meminfo: ProcFile; loadavg: ProcFile; diskstats: ProcFile; netDev: ProcFile };
  private readonly ticksPerSecond: number;
  private readonly scan = new Scanner();
  private diskNamesKey = '';
  private wholeDisks = new Set<string>();
  private readonly allDisks: boolean;

  constructor(options?: SystemReaderOptions) {
    const { procRoot } = resolveProcfsOptions(options);
    this.allDisks = options?.disks === 'all';
    if (options?.procRoot === undefined) assertSupported();
    this.ticksPerSecond = readAuxv(procRoot).clockTicksPerSecond;
    const opened: ProcFile[] = [];
    const open = (name: string, initialBytes: number): ProcFile => {
      const path = `${procRoot}/${name}`;
      try {
        const f = new ProcFile(path, initialBytes);
        opened.push(f);
        return f;
      } catch (err) {
        for (const f of opened) f.close();
        throw fromErrno(err, `cannot read ${path}`);
      }
    };
    this.files = {
      // /proc/stat carries a long intr line (~5 KiB with few IRQs, far more on big machines).
      stat: open('stat', 16384),
      meminfo: open('meminfo', 4096),
      loadavg: open('loadavg', 128),
      diskstats: open('diskstats', 4096),
      netDev: open('net/dev', 4096),
    };
  }

  /** A fresh snapshot. Throws only if a file that opened fine cannot be read (not expected on Linux). */
  read(): SystemSnapshot {
    const f = this.files;
    const { cpu, perCpu, contextSwitches, bootTimeSeconds, procsRunning, procsBlocked } = this.parseStat(f.stat.read());
    const scan = this.scan.reset(f.meminfo.read());
    const totalKb = scan.keyInt('MemTotal:', 0);
    const freeKb = scan.keyInt('MemFree:', 0);
    const availableKbRaw = scan.keyInt('MemAvailable:', -1);
    const buffersKb = scan.keyInt('Buffers:', 0);
    const cachedKb = scan.keyInt('Cached:', 0);
    const swapTotalKb = scan.keyInt('SwapTotal:', 0);
    const swapFreeKb = scan.keyInt('SwapFree:', 0);
    // Kernels before 3.14 lack MemAvailable; free + buffers + cached is the classic estimate.
    const availableKb = availableKbRaw >= 0 ? availableKbRaw : freeKb + buffersKb + cachedKb;
    return {
      cpu,
      perCpu,
      contextSwitches,
      bootTimeSeconds,
      procsRunning,
      procsBlocked,
      memory: {
        totalBytes: totalKb * 1024,
        availableBytes: availableKb * 1024,
        freeBytes: freeKb * 1024,
        buffersBytes: buffersKb * 1024,
        cachedBytes: cachedKb * 1024,
        usedBytes: (totalKb - availableKb) * 1024,
      },
      swap: {
        totalBytes: swapTotalKb * 1024,
        freeBytes: swapFreeKb * 1024,
        usedBytes: (swapTotalKb - swapFreeKb) * 1024,
      },
      load: parseLoadavg(f.loadavg.read()),
      disks: this.parseDiskstats(f.diskstats.read()),
      net: parseNetDev(f.netDev.read(), this.scan),
    };
  }

  /** The five files as native ticker slots (src/sampling/native.ts); each read() then parses what was fed. */
  captureSlots(): CaptureSlot[] {
    return Object.values(this.files).map((f) => f.captureSlot(false));
  }

  /** Releases the five fds. Idempotent; read() throws afterwards. */
  close(): void {
    for (const f of Object.values(this.files)) f.close();
  }

  private parseStat(text: string): {
    cpu: CpuTimes;
    perCpu: CpuTimes[];
    contextSwitches: number;
    bootTimeSeconds: number;
    procsRunning: number;
    procsBlocked: number;
  } {
    const scan = this.scan.reset(text);
    let cpu: CpuTimes | null = null;
    const perCpu: CpuTimes[] = [];
    // The cpu lines come first; stop at the first other line ("intr", whose length grows with the
    // IRQ count) and jump over it with indexOf instead of walking it.
    let lineStart = 0;
    while (text.startsWith('cpu', lineStart)) {
      const blank = text.indexOf(' ', lineStart);
      scan.pos = blank;
      const times = this.cpuTimes(scan);
      if (blank === lineStart + 3) cpu = times;
      else perCpu.push(times);
      const eol = text.indexOf('\n', scan.pos);
      if (eol < 0) break;
      lineStart = eol + 1;
    }
    scan.pos = lineStart;
    return {
      cpu: cpu ?? zeroCpuTimes(),
      perCpu,
      contextSwitches: scan.keyInt('ctxt ', 0),
      bootTimeSeconds: scan.keyInt('btime ', 0),
      procsRunning: scan.keyInt('procs_running ', 0),
      procsBlocked: scan.keyInt('procs_blocked ', 0),
    };
  }

  /** The up to ten tick counters of a cpu line, in seconds; older kernels have fewer (missing = 0). */
  private cpuTimes(scan: Scanner): CpuTimes {
    const hz = this.ticksPerSecond;
    const next = (): number => {
      const n = scan.int();
      return Number.isNaN(n) ? 0 : n / hz;
    };
    return {
      user: next(),
      nice: next(),
      system: next(),
      idle: next(),
      iowait: next(),
      irq: next(),
      softirq: next(),
      steal: next(),
      guest: next(),
      guestNice: next(),
    };
  }

  private parseDiskstats(text: string): DiskCounters[] {
    const rows: DiskCounters[] = [];
    const names: string[] = [];
    const scan = this.scan.reset(text);
    let lineStart = 0;
    while (lineStart < text.length) {
      let eol = text.indexOf('\n', lineStart);
      if (eol < 0) eol = text.length;
      scan.pos = lineStart;
      scan.skipFields(2); // major, minor
      let i = scan.pos;
      while (text.charCodeAt(i) === 32) i++;
      const nameEnd = text.indexOf(' ', i);
      if (nameEnd > i && nameEnd < eol) {
        const name = text.slice(i, nameEnd);
        scan.pos = nameEnd;
        const readOps = scan.int(); // 4
        scan.skipFields(1); // 5 reads merged
        const readSectors = scan.int(); // 6
        scan.skipFields(1); // 7 ms reading
        const writeOps = scan.int(); // 8
        scan.skipFields(1); // 9 writes merged
        const writeSectors = scan.int(); // 10
        scan.skipFields(2); // 11 ms writing, 12 in flight
        const busyMs = scan.int(); // 13 io_ticks
        names.push(name);
        rows.push({
          name,
          readOps,
          writeOps,
          readBytes: readSectors * SECTOR_BYTES,
          writeBytes: writeSectors * SECTOR_BYTES,
          busyMs,
        });
      }
      lineStart = eol + 1;
    }
    // The device list rarely changes: recompute the whole-disk set only when it does.
    const key = names.join(' ');
    if (key !== this.diskNamesKey) {
      this.diskNamesKey = key;
      this.wholeDisks = wholeDiskNames(names);
    }
    return this.allDisks ? rows : rows.filter((r) => this.wholeDisks.has(r.name));
  }
}

function zeroCpuTimes(): CpuTimes {
  return { user: 0, nice: 0, system: 0, idle: 0, iowait: 0, irq: 0, softirq: 0, steal: 0, guest: 0, guestNice: 0 };
}

/** "0.05 0.17 0.09 1/84 3978": three averages, then runnable/total scheduling entities. */
function parseLoadavg(text: string): SystemSnapshot['load'] {
  const a = text.indexOf(' ');
  const b = text.indexOf(' ', a + 1);
  const c = text.indexOf(' ', b + 1);
  const slash = text.indexOf('/', c + 1);
  const d = text.indexOf(' ', slash + 1);
  return {
    avg1: Number(text.slice(0, a)),
    avg5: Number(text.slice(a + 1, b)),
    avg15: Number(text.slice(b + 1, c)),
    runnable: Number(text.slice(c + 1, slash)),
    total: Number(text.slice(slash + 1, d < 0 ? undefined : d)),
  };
}

/** /proc/net/dev after its two header lines: "name: 8 receive counters 8 transmit counters". */
function parseNetDev(text: string, scan: Scanner): NetCounters[] {
  const out: NetCounters[] = [];
  const first = text.indexOf('\n');
  let lineStart = text.indexOf('\n', first + 1) + 1;
  if (first < 0 || lineStart <= 0) return out;
  scan.reset(text);
  while (lineStart < text.length) {
    let eol = text.indexOf('\n', lineStart);
    if (eol < 0) eol = text.length;
    const colon = text.indexOf(':', lineStart);
    if (colon > 0 && colon < eol) {
      const name = text.slice(lineStart, colon).trim();
      if (name !== 'lo') {
        scan.pos = colon + 1;
        const rxBytes = scan.int();
        const rxPackets = scan.int();
        const rxErrors = scan.int();
        const rxDrops = scan.int();
        scan.skipFields(4); // fifo frame compressed multicast
        const txBytes = scan.int();
        const txPackets = scan.int();
        const txErrors = scan.int();
        const txDrops = scan.int();
        out.push({ name, rxBytes, txBytes, rxPackets, txPackets, rxErrors, txErrors, rxDrops, txDrops });
      }
    }
    lineStart = eol + 1;
  }
  return out;
}
