"""What both benchmarks start from: plumb's binary, and a desired-state repository whose one
Directory holds N files in folders of 100, synced to a target."""
import os, subprocess, sys

def sh(args, **kw):
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, **kw)

def add_common_arguments(parser):
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--plumb", default=os.path.join(os.path.dirname(__file__), "..", ".build", "release", "plumb"))

def plumb_binary(path):
    plumb = os.path.abspath(path)
    if not os.access(plumb, os.X_OK):
        sys.exit(f"{plumb} is missing: run swift build -c release --static-swift-stdlib first")
    return plumb

def synced_target(root, files, plumb):
    """Makes root/work (the repository), root/target synced from it, root/state; returns the
    environment that points plumb at them and the files' paths relative to the Directory."""
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
    sh(["git", "add", "-A"], cwd=work)
    sh(["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com", "commit", "-qm", "bench"], cwd=work)
    os.makedirs(target)
    env = dict(os.environ, PLUMB_REPO=work, PLUMB_TARGET=target, PLUMB_STATE=state)
    sh([plumb, "sync"], env=env)
    return env, names
