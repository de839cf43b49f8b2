#!/usr/bin/env python3
"""plumb side by side with git, sha1sum and Puppet, in one run: the same workloads, whole
processes, run interleaved; medians, the spread (10th to 90th percentile) and ratios.

It builds nothing: give the release binary (swift build -c release --static-swift-stdlib).
Puppet's `apply --noop` is measured when `puppet` is on PATH.
Usage: Benchmarks/peers.py [--runs N] [--plumb PATH]
"""
import argparse, contextlib, os, shutil, statistics, subprocess, sys, tempfile, time
from bench_setup import interleaved_samples, plumb_binary, sh, synced_target

GIT_LOG_FORMAT = "%H%x00%an%x00%at%x00%s%x00%(trailers:key=Rollback-of,valueonly,separator=%x2C)%x00%(trailers:key=Approved-by,valueonly,separator=%x2C)"

def git_worktree(root, target):
    """The target's files in a git work tree of their own, committed, its index fresh."""
    wt = os.path.join(root, "gitwt")
    shutil.copytree(os.path.join(target, "tree"), os.path.join(wt, "tree"))
    sh(["git", "init", "-q", wt])
    sh(["git", "add", "-A"], cwd=wt)
    sh(["git", "-c", "user.name=bench", "-c", "user.email=b@example.com", "commit", "-qm", "bench"], cwd=wt)
    return wt

def drift(folder, names, count):
    """Edits `count` of the files under folder/tree, spread over the tree."""
    step = max(1, len(names) // count)
    for rel in names[::step][:count]:
        with open(os.path.join(folder, "tree", rel), "a") as f:
            f.write("edited = by hand\n")

def puppet_manifest(root, work, target, names):
    """A Puppet manifest declaring the same files, each from the same source file."""
    path = os.path.join(root, "site.pp")
    with open(path, "w") as f:
        for rel in names:
            f.write(f"file {{ '{target}/tree/{rel}': ensure => file, source => '{work}/files/tree/{rel}' }}\n")
        for folder in sorted({os.path.dirname(r) for r in names}):
            f.write(f"file {{ '{target}/tree/{folder}': ensure => directory }}\n")
    return path

def commits(root, count):
    """A repository of `count` commits, each changing one of 20 manifests, and plumb's view of it."""
    work, target, state = (os.path.join(root, d) for d in ("hwork", "htarget", "hstate"))
    sh(["git", "init", "-q", "-b", "main", work])
    os.makedirs(os.path.join(work, "resources"))
    importer = subprocess.Popen(["git", "-C", work, "fast-import", "--quiet"], stdin=subprocess.PIPE)
    for i in range(1, count + 1):
        body = f"kind: File\nname: r{i % 20:02d}\nspec:\n  path: etc/r{i % 20:02d}\n  content: \"{i}\\n\"\n".encode()
        msg = f"change {i}".encode()
        importer.stdin.write(b"commit refs/heads/main\ncommitter Bench <b@example.com> %d +0000\n" % (1_600_000_000 + i))
        importer.stdin.write(b"data %d\n%s\n" % (len(msg), msg))
        importer.stdin.write(b"M 100644 inline resources/r%02d.yaml\ndata %d\n%s\n" % (i % 20, len(body), body))
    importer.stdin.close()
    if importer.wait() != 0:
        sys.exit("git fast-import failed")
    sh(["git", "-C", work, "checkout", "-q", "main"])
    os.makedirs(target)
    env = dict(os.environ, PLUMB_REPO=work, PLUMB_TARGET=target, PLUMB_STATE=state)
    sh([os.environ["PLUMB_BENCH_BINARY"], "sync"], env=env)
    return work, env

@contextlib.contextmanager
def running_agent(plumb, env):
    """`plumb agent` on env's target until the block ends, once it answers status itself."""
    agent = subprocess.Popen([plumb, "agent", "--interval", "1h"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            asked = subprocess.run([plumb, "status", "--no-fetch"], env=dict(env, PLUMB_LOG="debug"), capture_output=True, text=True)
            if "the running agent answered" in asked.stderr:
                break
            time.sleep(0.1)
        else:
            sys.exit("the agent never answered status")
        yield agent
    finally:
        agent.terminate()
        agent.wait()

def spread(t):
    q = statistics.quantiles(t, n=10) if len(t) >= 2 else [t[0]] * 9
    return q[0], q[-1]

def report(title, samples, reference):
    print(title)
    ref = statistics.median(samples[reference])
    for name, t in samples.items():
        median = statistics.median(t)
        low, high = spread(t)
        ratio = "" if name == reference else f"{median / ref:7.2f}x {reference}"
        print(f"  {name:38} {median * 1000:9.1f} ms   ({low * 1000:7.1f} .. {high * 1000:7.1f})  {ratio}")
    print()

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--plumb", default=os.path.join(os.path.dirname(__file__), "..", ".build", "release", "plumb"))
    a = ap.parse_args()
    plumb = plumb_binary(a.plumb)
    os.environ["PLUMB_BENCH_BINARY"] = plumb
    root = tempfile.mkdtemp(prefix="plumb-peers-")
    try:
        print(f"whole processes, {a.runs} interleaved runs each: median (10th .. 90th percentile)\n")
        report("start-up", interleaved_samples({
            "git --version": (["git", "--version"], {}),
            "plumb --version": ([plumb, "--version"], {}),
        }, a.runs)[0], "git --version")

        small = os.path.join(root, "small")
        os.makedirs(small)
        env, names = synced_target(small, 1000, plumb)
        target = env["PLUMB_TARGET"]
        wt = git_worktree(small, target)
        drift(target, names, 10)
        drift(wt, names, 10)
        time.sleep(2.5)  # out of every racy window
        commands = {
            "git status --porcelain": (["git", "-C", wt, "status", "--porcelain"], {}),
            "plumb status --no-fetch": ([plumb, "status", "--no-fetch"], {"env": env, "codes": (2,)}),
        }
        if shutil.which("puppet"):
            site = puppet_manifest(small, os.path.join(small, "work"), target, names)
            commands["puppet apply --noop"] = (["puppet", "apply", "--noop", site], {})
        else:
            print("(puppet is not installed: its apply --noop is not measured)\n")
        for args, kw in commands.values():  # warm: caches filled, files out of the racy window
            subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=kw.get("env"))
        report("1,000 files, 10 drifted", interleaved_samples(commands, a.runs)[0], "git status --porcelain")

        large = os.path.join(root, "large")
        os.makedirs(large)
        env, names = synced_target(large, 10_000, plumb)
        target = env["PLUMB_TARGET"]
        wt = git_worktree(large, target)
        listing = os.path.join(large, "files.txt")
        with open(listing, "w") as f:
            f.write("\0".join(os.path.join(target, "tree", n) for n in names))
        time.sleep(2.5)
        for args in (["git", "-C", wt, "status", "--porcelain"], [plumb, "status", "--no-fetch"]):
            subprocess.run(args, stdout=subprocess.DEVNULL, env=env)
        report("10,000 files, unchanged", interleaved_samples({
            "git status --porcelain": (["git", "-C", wt, "status", "--porcelain"], {}),
            "plumb status --no-fetch": ([plumb, "status", "--no-fetch"], {"env": env}),
            "plumb status (fetching a local source)": ([plumb, "status"], {"env": env}),
            "sha1sum of every file": (["sh", "-c", f"xargs -0 sha1sum < {listing} > /dev/null"], {}),
        }, a.runs)[0], "git status --porcelain")

        with running_agent(plumb, env):
            report("10,000 files, unchanged, beside a running agent (it answers status)", interleaved_samples({
                "git status --porcelain": (["git", "-C", wt, "status", "--porcelain"], {}),
                "plumb status --no-fetch": ([plumb, "status", "--no-fetch"], {"env": env}),
                "plumb status (fetching a local source)": ([plumb, "status"], {"env": env}),
            }, a.runs)[0], "git status --porcelain")

        work, env = commits(root, 200)
        report("200 commits", interleaved_samples({
            "git log -n 50": (["git", "-C", work, "log", "-n", "50", "-z", f"--format={GIT_LOG_FORMAT}"], {}),
            "plumb history -n 50 --no-fetch": ([plumb, "history", "-n", "50", "--no-fetch"], {"env": env}),
        }, a.runs)[0], "git log -n 50")
    finally:
        shutil.rmtree(root, ignore_errors=True)

if __name__ == "__main__":
    main()
