"""What the benchmarks start from: plumb's binary, a desired-state repository whose one Directory
holds N files in folders of 100, synced to a target, and whole processes timed side by side."""
import os, statistics, subprocess, sys, time

def sh(args, **kw):
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, **kw)

def add_common_arguments(parser):
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--ignore-and-template", action="store_true",
                        help="the Directory ignores editors' swap files and a cache folder (the target holds some), and a templated File is declared beside it")
    parser.add_argument("--plumb", default=os.path.join(os.path.dirname(__file__), "..", ".build", "release", "plumb"))

def plumb_binary(path):
    plumb = os.path.abspath(path)
    if not os.access(plumb, os.X_OK):
        sys.exit(f"{plumb} is missing: run swift build -c release --static-swift-stdlib first")
    return plumb

IGNORE = ["*.swp", "cache/", "/d000/f00000.conf"]

def synced_target(root, files, plumb, ignore_and_template=False):
    """Makes root/work (the repository), root/target synced from it, root/state; returns the
    environment that points plumb at them and the files' paths relative to the Directory. With
    `ignore_and_template`, the Directory has `ignore` patterns (and the target files they match:
    a swap file in every tenth folder, a cache folder of 100), and a template File is declared."""
    work, target, state = (os.path.join(root, d) for d in ("work", "target", "state"))
    sh(["git", "init", "-q", "-b", "main", work])
    names = []
    for n in range(files):
        rel = f"d{n // 100:03d}/f{n:05d}.conf"
        path = os.path.join(work, "files", "tree", rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(f"# file {n}\n" + "key = value\n" * 40)
        names.append(rel)
    os.makedirs(os.path.join(work, "resources"))
    with open(os.path.join(work, "resources", "tree.yaml"), "w") as f:
        f.write("kind: Directory\nname: tree\nspec:\n  path: tree\n  source: files/tree\n")
        if ignore_and_template:
            f.write("  ignore: [" + ", ".join(f'"{p}"' for p in IGNORE) + "]\n")
            f.write("---\nkind: File\nname: site\nspec:\n  path: etc/site.conf\n  source: files/site.conf\n  template: true\n")
    if ignore_and_template:
        os.makedirs(os.path.join(work, "vars"))
        with open(os.path.join(work, "vars", "site.yaml"), "w") as f:
            f.write("listen: 8080\nupstreams: [{addr: 10.0.0.1}, {addr: 10.0.0.2}]\n")
        with open(os.path.join(work, "files", "site.conf"), "w") as f:
            f.write("server {{host.name}} {\n  listen {{listen}};\n{{#upstreams}}  upstream {{addr}};\n{{/upstreams}}}\n")
    sh(["git", "add", "-A"], cwd=work)
    sh(["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com", "commit", "-qm", "bench"], cwd=work)
    os.makedirs(target)
    env = dict(os.environ, PLUMB_REPO=work, PLUMB_TARGET=target, PLUMB_STATE=state)
    sh([plumb, "sync"], env=env)
    if ignore_and_template:
        for n in range(0, files // 100, 10):
            with open(os.path.join(target, "tree", f"d{n:03d}", f".f{n * 100:05d}.conf.swp"), "w") as f:
                f.write("vim swap\n")
        os.makedirs(os.path.join(target, "tree", "cache"))
        for n in range(100):
            with open(os.path.join(target, "tree", "cache", f"c{n}"), "w") as f:
                f.write("cached\n")
    return env, names

def run_once(args, env=None, prepare=None, codes=(0,)):
    """Wall time of one whole process, and its own peak RSS in MiB; an exit status not in
    `codes` stops the benchmark."""
    if prepare: prepare()
    start = time.perf_counter()
    p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(p.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in codes:
        sys.exit(f"{' '.join(args)} failed with status {os.waitstatus_to_exitcode(status)}")
    return elapsed, usage.ru_maxrss / 1024

def interleaved_samples(commands, runs):
    """Every run's time of each command, sorted, and its peak memory; the commands run in turn
    round after round, so that a slow moment of the machine falls on all of them alike."""
    times = {name: [] for name in commands}
    peaks = {name: 0.0 for name in commands}
    for _ in range(runs):
        for name, (args, kw) in commands.items():
            elapsed, peak = run_once(args, **kw)
            times[name].append(elapsed)
            peaks[name] = max(peaks[name], peak)
    return {name: sorted(t) for name, t in times.items()}, peaks

def interleaved(commands, runs):
    """Median time and peak memory of each command, run interleaved (see interleaved_samples)."""
    samples, peaks = interleaved_samples(commands, runs)
    return {name: statistics.median(t) for name, t in samples.items()}, peaks
