#!/usr/bin/env python3
"""plumb status against git status and sha1sum on the same 10,000 files, side by side in one run.

Prints medians, ratios and peak memory. Build first: swift build -c release --static-swift-stdlib.
Usage: Benchmarks/status_benchmark.py [--files N] [--runs N] [--plumb PATH] [--ignore-and-template]
"""
import argparse, os, shutil, sqlite3, sys, tempfile, time
from bench_setup import IGNORE, add_common_arguments, interleaved, plumb_binary, sh, synced_target

def main():
    ap = argparse.ArgumentParser()
    add_common_arguments(ap)
    ap.add_argument("--runs", type=int, default=15)
    a = ap.parse_args()
    plumb = plumb_binary(a.plumb)

    root = tempfile.mkdtemp(prefix="plumb-bench-")
    try:
        env, _ = synced_target(root, a.files, plumb, a.ignore_and_template)
        target, state = env["PLUMB_TARGET"], env["PLUMB_STATE"]
        gitwt = os.path.join(root, "gitwt")

        # The same files in a git work tree, index fresh.
        shutil.copytree(os.path.join(target, "tree"), os.path.join(gitwt, "tree"))
        if a.ignore_and_template:  # git ignores what plumb ignores, so both see the same tree
            with open(os.path.join(gitwt, "tree", ".gitignore"), "w") as f:
                f.write("\n".join(IGNORE) + "\n")
        sh(["git", "init", "-q", gitwt])
        sh(["git", "add", "-A"], cwd=gitwt)
        sh(["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com", "commit", "-qm", "bench"], cwd=gitwt)
        time.sleep(2.5)  # let every file leave plumb's and git's racy window
        sh([plumb, "status", "--no-fetch"], env=env)
        sh(["git", "status", "--porcelain"], cwd=gitwt)

        files = [os.path.join(dp, f) for dp, _, fs in os.walk(os.path.join(target, "tree")) for f in fs]
        listing = os.path.join(root, "files.txt")
        with open(listing, "w") as f:
            f.write("\0".join(files))
        db = os.path.join(state, "state.sqlite")
        def drop():  # forget every stat: each file is read and hashed again
            with sqlite3.connect(db) as c:
                c.execute("DELETE FROM caches WHERE name IN ('stat', 'folders')")

        warm, warm_peaks = interleaved({
            "git": (["git", "-C", gitwt, "status", "--porcelain"], {}),
            "warm": ([plumb, "status", "--no-fetch"], {"env": env}),
            "fetch": ([plumb, "status"], {"env": env}),
        }, a.runs)
        cold, cold_peaks = interleaved({
            "sha1sum": (["sh", "-c", f"xargs -0 sha1sum < {listing} > /dev/null"], {}),
            "cold": ([plumb, "status", "--no-fetch"], {"env": env, "prepare": drop}),
        }, a.runs)
        git_t, warm_t, fetch_t = warm["git"], warm["warm"], warm["fetch"]
        sha_t, cold_t = cold["sha1sum"], cold["cold"]
        peak = max(warm_peaks["warm"], warm_peaks["fetch"], cold_peaks["cold"])

        what = ", with ignore patterns, ignored files in the target and a template" if a.ignore_and_template else ""
        print(f"{a.files} managed files{what}, median of {a.runs} interleaved runs, whole processes")
        print(f"  git status                      {git_t*1000:8.1f} ms")
        print(f"  plumb status --no-fetch (warm)  {warm_t*1000:8.1f} ms   {warm_t/git_t:5.2f}x git status   (goal <= 2x, aim 1x)")
        print(f"  plumb status (with fetch)       {fetch_t*1000:8.1f} ms   {fetch_t/git_t:5.2f}x git status")
        print(f"  sha1sum of every file           {sha_t*1000:8.1f} ms")
        print(f"  plumb status, no stat cache     {cold_t*1000:8.1f} ms   {cold_t/sha_t:5.2f}x sha1sum      (goal <= 1.5x)")
        print(f"  peak memory of plumb status     {peak:8.1f} MiB                   (goal < 100 MB)")
    finally:
        shutil.rmtree(root, ignore_errors=True)

if __name__ == "__main__":
    main()
