#!/usr/bin/env python3
"""plumb ui on N managed files (100,000 by default) in a real terminal (tmux, 200x60): the time
from start to the first frame, and to the first frame that shows every resource counted; the
console's peak memory; its CPU while idle.

Build first: swift build -c release --static-swift-stdlib.
Usage: Benchmarks/console_benchmark.py [--files N] [--runs N] [--plumb PATH]
"""
import argparse, os, shutil, statistics, subprocess, tempfile, time
from bench_setup import add_common_arguments, plumb_binary, sh, synced_target

def tmux(socket, *args):
    return subprocess.run(["tmux", "-S", socket, *args], capture_output=True, text=True).stdout

def console_pid(socket):
    shell = tmux(socket, "display-message", "-p", "-t", "b", "#{pane_pid}").strip()
    children = subprocess.run(["pgrep", "-P", shell], capture_output=True, text=True).stdout.split()
    return int(children[0]) if children else None

def one_run(plumb, env, files, root):
    # A server of its own per run: the one before may still be going down.
    socket = os.path.join(root, f"tmux-{time.monotonic_ns()}.sock")
    command = " ".join([f"{k}='{v}'" for k, v in env.items() if k.startswith("PLUMB_")]) + f" TERM=tmux-256color {plumb} ui --no-fetch"
    start = time.perf_counter()
    subprocess.run(["tmux", "-S", socket, "-f", "/dev/null", "new-session", "-d", "-s", "b", "-x", "200", "-y", "60",
                    f"env -u NO_COLOR {command}; sleep 60"], check=True, stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    first = full = None
    while time.perf_counter() - start < 30 and full is None:
        screen = tmux(socket, "capture-pane", "-p", "-t", "b")
        now = time.perf_counter() - start
        if first is None and " plumb " in screen:
            first = now
        if "OutOfSync 0" in screen:
            full = now
        time.sleep(0.003)
    pid = console_pid(socket)
    peak = idle = None
    if pid:
        with open(f"/proc/{pid}/status") as f:
            peak = next(int(l.split()[1]) for l in f if l.startswith("VmHWM")) / 1024
        ticks = lambda: sum(int(x) for x in open(f"/proc/{pid}/stat").read().split(")")[1].split()[11:13])
        time.sleep(3)  # the first pass's journal and history reads settle
        before = ticks(); time.sleep(5); idle = (ticks() - before) / os.sysconf("SC_CLK_TCK") / 5 * 100
    subprocess.run(["tmux", "-S", socket, "kill-server"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if pid:
        try: os.kill(pid, 9)
        except ProcessLookupError: pass
    return first, full, peak, idle

def main():
    ap = argparse.ArgumentParser()
    add_common_arguments(ap)
    ap.set_defaults(files=100_000)
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    plumb = plumb_binary(a.plumb)
    root = tempfile.mkdtemp(prefix="plumb-bench-")
    try:
        env, _ = synced_target(root, a.files, plumb)
        # A warm cache, as a console opened again finds it: the first status after the sync hashes
        # every file (just written, so their stat cannot be trusted yet), the second only a few.
        for _ in range(2): sh([plumb, "status", "--no-fetch"], env=env)
        runs = [one_run(plumb, env, a.files, root) for _ in range(a.runs)]
        med = lambda i: statistics.median([r[i] for r in runs if r[i] is not None] or [float("nan")])
        print(f"plumb ui, {a.files} managed files, 200x60, median of {a.runs} runs (whole process, in tmux)")
        print(f"  first frame                      {med(0)*1000:8.0f} ms")
        print(f"  first frame with every resource  {med(1)*1000:8.0f} ms   (goal: within 300 ms on a warm cache)")
        print(f"  peak memory                      {max(r[2] for r in runs):8.1f} MiB  (goal < 200 MB)")
        print(f"  CPU while idle, 5 s              {med(3):8.2f} %    of one core")
    finally:
        shutil.rmtree(root, ignore_errors=True)

if __name__ == "__main__":
    main()
