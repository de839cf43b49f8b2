#!/usr/bin/env python3
"""plumb agent: time from a hand edit of a managed file to the corrected file on disk, with
auto-sync, over many edits; and the agent's idle CPU while it watches 10,000 files.

Build first: swift build -c release --static-swift-stdlib
Usage: Benchmarks/agent_benchmark.py [--files N] [--edits N] [--idle SECONDS] [--plumb PATH]
"""
import argparse, os, random, shutil, signal, statistics, subprocess, sys, tempfile, time
from bench_setup import add_common_arguments, plumb_binary, synced_target

def cpu_seconds(pid):
    """User and system CPU time of a process so far, from /proc."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

def main():
    ap = argparse.ArgumentParser()
    add_common_arguments(ap)
    ap.add_argument("--edits", type=int, default=25)
    ap.add_argument("--idle", type=float, default=20.0)
    a = ap.parse_args()
    plumb = plumb_binary(a.plumb)

    root = tempfile.mkdtemp(prefix="plumb-agent-bench-")
    agent = None
    try:
        env, names = synced_target(root, a.files, plumb)
        target = env["PLUMB_TARGET"]
        time.sleep(2.5)  # out of the racy window, as a long-running target would be

        agent = subprocess.Popen([plumb, "agent", "--auto-sync", "--interval", "1h"], env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(3)  # the first pass hashes every file once
        random.seed(7)
        latencies = []
        for _ in range(a.edits):
            rel = random.choice(names)
            path = os.path.join(target, "tree", rel)
            with open(path) as f:
                want = f.read()
            start = time.perf_counter()
            with open(path, "w") as f:
                f.write("edited by hand\n")
            while True:
                with open(path) as f:
                    if f.read() == want:
                        break
                if time.perf_counter() - start > 30:
                    sys.exit(f"{rel} was not healed within 30 s")
                time.sleep(0.002)
            latencies.append(time.perf_counter() - start)
            time.sleep(0.3)

        time.sleep(2)
        before, t0 = cpu_seconds(agent.pid), time.perf_counter()
        time.sleep(a.idle)
        used, elapsed = cpu_seconds(agent.pid) - before, time.perf_counter() - t0

        ms = sorted(x * 1000 for x in latencies)
        print(f"{a.files} managed files, {a.edits} hand edits, agent with --auto-sync --interval 1h")
        print(f"  edit to healed file: median {statistics.median(ms):.0f} ms, p90 {ms[int(len(ms) * 0.9) - 1]:.0f} ms, "
              f"min {ms[0]:.0f} ms, max {ms[-1]:.0f} ms   (goal: median under 200 ms)")
        print(f"  all: {' '.join(f'{x:.0f}' for x in ms)}")
        print(f"  idle CPU over {elapsed:.0f} s: {used / elapsed * 100:.2f} % of one core   (goal: under 1 %)")
    finally:
        if agent:
            agent.send_signal(signal.SIGTERM)
            agent.wait(timeout=30)
        shutil.rmtree(root, ignore_errors=True)

if __name__ == "__main__":
    main()
