#!/usr/bin/env python3
"""plumb history -n 50 against git log -n 50 with the same fields, on a branch of 100,000 commits,
and plumb proposals with 50 open proposals; whole processes, side by side.

Build first: swift build -c release --static-swift-stdlib.
Usage: Benchmarks/history_benchmark.py [--commits N] [--proposals N] [--runs N] [--plumb PATH]
"""
import argparse, os, shutil, subprocess, sys, tempfile, time
from bench_setup import interleaved, plumb_binary, sh

# The fields plumb history reads, in git's own format.
GIT_FORMAT = ("%H%x00%an%x00%at%x00%s%x00%(trailers:key=Rollback-of,valueonly,separator=%x2C)%x00"
              "%(trailers:key=Approved-by,valueonly,separator=%x2C)%x00%(trailers:key=Proposal-head,valueonly,separator=%x2C)")

def manifest(name):
    return f"kind: File\nname: {name}\nspec:\n  path: etc/{name}\n  content: \"{name}\\n\"\n"

def fast_import(bare, commits, proposals):
    """commits on main, each changing one of 100 manifests, then proposals of one commit each.
    Written to fast-import as made: this process stays small, and so do the peaks measured of
    the processes it forks."""
    importer = subprocess.Popen(["git", "--git-dir", bare, "fast-import", "--quiet"], stdin=subprocess.PIPE)
    out = importer.stdin
    def data(text):
        raw = text.encode()
        out.write(b"data %d\n" % len(raw) + raw + b"\n")
    policy = "rules:\n  - name: no-world-writable\n    field: spec.mode\n    deny-regex: \"[2367]$\"\n  - name: small\n    max-deletes: 3\n"
    for i in range(1, commits + 1):
        out.write(b"commit refs/heads/main\ncommitter Bench <bench@example.com> %d +0000\n" % (1_600_000_000 + i))
        data(f"change {i}")
        if i == 1:
            out.write(b"M 100644 inline policy.yaml\n"); data(policy)
        out.write(b"M 100644 inline resources/r%02d.yaml\n" % (i % 100)); data(manifest(f"r{i % 100:02d}") + f"# {i}\n")
    for p in range(proposals):
        out.write(b"commit refs/heads/proposal/p%02d\ncommitter Dev <dev@example.com> %d +0000\n" % (p, 1_700_000_000 + p))
        data(f"propose p{p:02d}")
        out.write(b"from refs/heads/main\n")
        out.write(b"M 100644 inline resources/new%02d.yaml\n" % p); data(manifest(f"new{p:02d}"))
    out.close()
    if importer.wait() != 0:
        sys.exit("git fast-import failed")

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--commits", type=int, default=100_000)
    ap.add_argument("--proposals", type=int, default=50)
    ap.add_argument("--runs", type=int, default=21)
    ap.add_argument("--plumb", default=os.path.join(os.path.dirname(__file__), "..", ".build", "release", "plumb"))
    a = ap.parse_args()
    plumb = plumb_binary(a.plumb)
    root = tempfile.mkdtemp(prefix="plumb-bench-")
    try:
        bare, target, state = (os.path.join(root, d) for d in ("source.git", "target", "state"))
        sh(["git", "init", "-q", "--bare", "-b", "main", bare])
        fast_import(bare, a.commits, a.proposals)
        os.makedirs(target)
        env = dict(os.environ, PLUMB_REPO=bare, PLUMB_TARGET=target, PLUMB_STATE=state)
        sh([plumb, "history", "-n", "1"], env=env)  # the first fetch fills the mirror
        mirror = os.path.join(state, "mirror.git")
        sh(["git", "--git-dir", mirror, "commit-graph", "write", "--reachable"])  # as git gc would

        start = time.perf_counter()
        sh([plumb, "proposals", "--no-fetch"], env=env)
        proposals_cold = time.perf_counter() - start
        medians, peaks = interleaved({
            "git": (["git", "--git-dir", mirror, "log", "-z", "-n", "50", f"--format={GIT_FORMAT}", "main"], {}),
            "plumb": ([plumb, "history", "-n", "50", "--no-fetch"], {"env": env}),
            "proposals": ([plumb, "proposals", "--no-fetch"], {"env": env}),
        }, a.runs)
        git_t, plumb_t = medians["git"], medians["plumb"]
        print(f"{a.commits} commits, {a.proposals} proposals, median of {a.runs} interleaved runs, whole processes")
        print(f"  git log -n 50 (same fields)        {git_t*1000:8.1f} ms")
        print(f"  plumb history -n 50 --no-fetch     {plumb_t*1000:8.1f} ms   {plumb_t/git_t:5.2f}x git log   (goal <= 1.5x)")
        print(f"  plumb proposals, first look        {proposals_cold*1000:8.1f} ms                   (goal < 1 s)")
        print(f"  plumb proposals, again             {medians['proposals']*1000:8.1f} ms")
        print(f"  peak memory of plumb history       {peaks['plumb']:8.1f} MiB")
    finally:
        shutil.rmtree(root, ignore_errors=True)

if __name__ == "__main__":
    main()
