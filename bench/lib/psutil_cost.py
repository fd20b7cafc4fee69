"""psutil's side of the snapshot-cost bench: one fresh interpreter per measurement.

Usage: /usr/bin/python3 bench/lib/psutil_cost.py <proc-psutil|sys-psutil> <pid> <n> <warmup>

Prints one JSON line shaped like bench/lib/cost-result.ts CostResult. CPU is time.process_time()
(user + system of this process) over the n timed snapshots; psutil spawns nothing.
"""
import json
import sys
import time

import psutil


def process_snapshot(pid):
    p = psutil.Process(pid)

    def snap():
        # The same fields our ProcessReader returns: CPU times, memory, I/O, threads, fds, ctx switches.
        with p.oneshot():
            p.cpu_times()
            p.memory_info()
            p.io_counters()
            p.num_threads()
            p.num_fds()
            p.num_ctx_switches()

    return snap


def system_snapshot(_pid):
    def snap():
        psutil.cpu_times(percpu=True)
        psutil.virtual_memory()
        psutil.swap_memory()
        psutil.getloadavg()
        psutil.disk_io_counters(perdisk=True)
        psutil.net_io_counters(pernic=True)

    return snap


def main():
    method, pid, n, warmup = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    snap = {"proc-psutil": process_snapshot, "sys-psutil": system_snapshot}[method](pid)
    for _ in range(warmup):
        snap()
    wall_us = []
    perf = time.perf_counter_ns
    c0 = time.process_time_ns()
    for _ in range(n):
        a = perf()
        snap()
        wall_us.append((perf() - a) / 1000)
    cpu_us = (time.process_time_ns() - c0) / 1000
    wall_us.sort()
    print(json.dumps({
        "method": method,
        "n": n,
        "cpuUsPerSnapshot": cpu_us / n,
        "childrenCpuUsPerSnapshot": 0,
        "wallP50Us": wall_us[len(wall_us) // 2],
    }))


main()
