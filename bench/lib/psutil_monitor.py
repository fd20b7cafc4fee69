"""psutil's side of the monitor-overhead bench: a 10 Hz monitor of one PID on absolute deadlines.

Usage: /usr/bin/python3 -u bench/lib/psutil_monitor.py <idle|psutil|psutil-system|psutil-tree> <pid> <interval_ms>

Prints `ready` after the first tick; on SIGTERM prints one JSON line shaped like
bench/lib/cost-result.ts MonitorResult and exits. `idle` runs the same deadline loop with no work
(Python's runtime floor).
"""
import json
import math
import os
import signal
import sys
import time

import psutil


def read_process(p):
    """One process snapshot, the same fields the perfscope Sampler records each tick."""
    with p.oneshot():
        p.cpu_percent(None)
        p.memory_info()
        p.io_counters()
        p.num_threads()
        p.num_fds()
        p.num_ctx_switches()


def main():
    mode, pid, interval = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) / 1000.0
    ticks = []

    def on_term(_signum, _frame):
        sys.stdout.write(json.dumps({"monitor": mode, "ticks": ticks}) + "\n")
        sys.stdout.flush()
        os._exit(0)

    signal.signal(signal.SIGTERM, on_term)

    work = None
    if mode in ("psutil", "psutil-system"):
        p = psutil.Process(pid)
        p.cpu_percent(None)  # the first call only sets the baseline

        def proc_work():
            read_process(p)

        work = proc_work
        if mode == "psutil-system":
            psutil.cpu_percent(percpu=True)

            def proc_and_system_work():
                proc_work()
                psutil.cpu_percent(percpu=True)
                psutil.virtual_memory()
                psutil.swap_memory()
                psutil.getloadavg()
                psutil.disk_io_counters(perdisk=True)
                psutil.net_io_counters(pernic=True)

            work = proc_and_system_work
    elif mode == "psutil-tree":
        # psrecord --include-children: the process and all its descendants every tick. children()
        # finds them through a ppid map of every process in /proc, as psutil does.
        root = psutil.Process(pid)
        known = {}

        def tree_work():
            members = [root] + root.children(recursive=True)
            for m in members:
                try:
                    read_process(known.setdefault(m.pid, m))
                except psutil.NoSuchProcess:
                    known.pop(m.pid, None)

        tree_work()
        work = tree_work
    elif mode != "idle":
        raise SystemExit(f"unknown mode {mode}")

    clock = time.monotonic
    t0 = clock()
    k = 0
    while True:
        now = clock()
        deadline = t0 + k * interval
        if now < deadline:
            time.sleep(deadline - now)
            now = clock()
        # Skip (and count) deadlines that passed while we were busy, never run a burst.
        due = max(k, math.floor((now - t0) / interval))
        ticks.append([now * 1000, (now - (t0 + due * interval)) * 1000, due - k])
        if work is not None:
            work()
        k = due + 1
        if len(ticks) == 1:
            print("ready", flush=True)


main()
