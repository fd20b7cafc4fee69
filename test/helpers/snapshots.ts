/**
 * Hand-made reader snapshots for tests of what is derived from them (rows, tree accounting): every field
 * set to a plain default, overridden by the caller. No /proc involved.
 */
import type { CpuTimes, ProcessSnapshot, SystemSnapshot } from '../../src/sampling/types.js';

export function processSnapshot(over: Partial<ProcessSnapshot> & { pid: number }): ProcessSnapshot {
  return {
    ppid: 1,
    comm: `p${over.pid}`,
    state: 'S',
    startTimeTicks: 1000 + over.pid,
    userSeconds: 0,
    systemSeconds: 0,
    childrenUserSeconds: 0,
    childrenSystemSeconds: 0,
    preciseCpuSeconds: null,
    numThreads: 1,
    minorFaults: 0,
    majorFaults: 0,
    rssBytes: 0,
    vmsBytes: 0,
    peakRssBytes: null,
    rssAnonBytes: null,
    rssFileBytes: null,
    rssShmemBytes: null,
    swapBytes: null,
    ussBytes: null,
    pssBytes: null,
    io: null,
    numFds: null,
    voluntaryCtxSwitches: 0,
    involuntaryCtxSwitches: 0,
    unavailable: {},
    ...over,
  };
}

export function cpuTimes(over: Partial<CpuTimes> = {}): CpuTimes {
  return { user: 0, nice: 0, system: 0, idle: 0, iowait: 0, irq: 0, softirq: 0, steal: 0, guest: 0, guestNice: 0, ...over };
}

export function systemSnapshot(over: Partial<SystemSnapshot> = {}): SystemSnapshot {
  return {
    cpu: cpuTimes(),
    perCpu: [],
    contextSwitches: 0,
    bootTimeSeconds: 1_700_000_000,
    procsRunning: 1,
    procsBlocked: 0,
    memory: { totalBytes: 1000, availableBytes: 600, freeBytes: 500, buffersBytes: 0, cachedBytes: 100, usedBytes: 400 },
    swap: { totalBytes: 0, freeBytes: 0, usedBytes: 0 },
    load: { avg1: 0.5, avg5: 0.25, avg15: 0.125, runnable: 1, total: 100 },
    disks: [],
    net: [],
    ...over,
  };
}
