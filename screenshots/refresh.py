#!/usr/bin/python3
"""Makes the PNGs in screenshots/ from the real binary in a real terminal.

Runs `plumb demo` in a tmux window of its own, drives it with send-keys, captures each screen with
its colours (capture-pane -e), replays the capture through a terminal emulator (pyte) and draws
the cells with DejaVu Sans Mono (Pillow). Everything comes from Debian:

    apt-get install tmux python3-pyte python3-pil fonts-dejavu-core

Usage, from the repository root: `swift build && screenshots/refresh.py` (or PLUMB_BINARY=path).
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time

try:
    import pyte
    from PIL import Image, ImageDraw, ImageFont
except ImportError as missing:
    sys.exit(f"refresh.py: {missing}; install them with: apt-get install python3-pyte python3-pil fonts-dejavu-core")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "screenshots")
BINARY = os.environ.get("PLUMB_BINARY", os.path.join(ROOT, ".build/debug/plumb"))
FONTS = "/usr/share/fonts/truetype/dejavu/"
COLUMNS, ROWS = 110, 32

# The 16 colours of the terminal the pictures show (xterm's), then the background and text.
PALETTE = {
    "black": "000000", "red": "cd3131", "green": "0dbc79", "brown": "e5e510", "blue": "2472c8",
    "magenta": "bc3fbc", "cyan": "11a8cd", "white": "e5e5e5",
    "brightblack": "666666", "brightred": "f14c4c", "brightgreen": "23d18b", "brightbrown": "f5f543",
    "brightblue": "3b8eea", "brightmagenta": "d670d6", "brightcyan": "29b8db", "brightwhite": "ffffff",
}
# The terminal's own background and text: dark, and light for the light theme.
DARK, LIGHT = ("1e1e1e", "d4d4d4"), ("ffffff", "1e1e1e")

# Box-drawing characters: the directions their lines go from the middle of the cell.
BOX = {"─": [(-1, 0), (1, 0)], "│": [(0, -1), (0, 1)], "┌": [(1, 0), (0, 1)], "┐": [(-1, 0), (0, 1)],
       "└": [(1, 0), (0, -1)], "┘": [(-1, 0), (0, -1)]}

# Each picture: its file, the keys that lead to it from the one before, a text on the screen that
# says it is there, and the terminal's colours.
SHOTS = [
    ("resources", [], "OutOfSync", DARK),
    ("resource-diff", ["j", "j"], "+++ desired/etc/nginx/nginx.conf", DARK),
    ("proposals", ["2"], "open-uploads", DARK),
    ("proposal-detail", ["Enter"], "no-world-writable", DARK),
    ("approve-dialog", ["Escape", "j", "a"], "Approve proposal/tls-redirect", DARK),
    ("history", ["n", "3"], "Roll back to", DARK),
    ("events", ["4"], "DriftDetected", DARK),
    ("help", ["1", "?"], "sync the selected resource", DARK),
    ("light-theme", ["Escape", ":", "theme light", "Enter"], "theme light", LIGHT),
]
# Then the same console at 80x24, what a newcomer's terminal shows first.
SMALL = (80, 24)
SMALL_SHOTS = [
    ("resources-80x24", [":", "theme default", "Enter", "1", "g"], "OutOfSync", DARK),
    ("resource-diff-80x24", ["j", "j", "j", "j"], "+++ desired/etc/nginx/nginx.conf", DARK),
    ("event-detail-80x24", ["4", "k", "Enter"], "reason    ", DARK),
    ("history-80x24", ["Escape", "3"], "Roll back to", DARK),
    ("only-drift-80x24", ["1", "o"], "only drifted:", DARK),
]


def tmux(socket, *args, check=True):
    return subprocess.run(["tmux", "-S", socket, *args], check=check, capture_output=True, text=True).stdout


def wait_for(socket, text, seconds=15):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if text in tmux(socket, "capture-pane", "-p", "-t", "shots"):
            time.sleep(0.4)  # let the frame finish and the ages settle
            return
        time.sleep(0.1)
    sys.exit(f"refresh.py: `{text}` never appeared on screen:\n" + tmux(socket, "capture-pane", "-p", "-t", "shots"))


def colour(name, fallback):
    if name == "default":
        return "#" + fallback
    if name in PALETTE:
        return "#" + PALETTE[name]
    return "#" + name  # pyte gives 256-colour and true colours as rrggbb


def render(capture, path, terminal, size=(COLUMNS, ROWS)):
    background, foreground = terminal
    columns, rows = size
    screen = pyte.Screen(columns, rows)
    stream = pyte.Stream(screen)
    stream.feed(capture.rstrip("\n").replace("\n", "\r\n"))
    regular = ImageFont.truetype(FONTS + "DejaVuSansMono.ttf", 15)
    bold = ImageFont.truetype(FONTS + "DejaVuSansMono-Bold.ttf", 15)
    width = round(regular.getlength("M"))
    height = 19
    margin = 12
    image = Image.new("RGB", (columns * width + 2 * margin, rows * height + 2 * margin), "#" + background)
    draw = ImageDraw.Draw(image)
    for y in range(rows):
        line = screen.buffer[y]
        for x in range(columns):
            cell = line[x]
            fg, bg = colour(cell.fg, foreground), colour(cell.bg, background)
            if cell.reverse:
                fg, bg = bg, fg
            left, top = margin + x * width, margin + y * height
            if bg != "#" + background:
                draw.rectangle([left, top, left + width - 1, top + height - 1], fill=bg)
            if cell.data in BOX:
                # Drawn as lines, so that frames join from one row to the next.
                middle_x, middle_y = left + width // 2, top + height // 2
                for dx, dy in BOX[cell.data]:
                    draw.line([middle_x, middle_y, middle_x + dx * width // 2 + min(dx, 0), middle_y + dy * height // 2 + min(dy, 0)], fill=fg)
            elif cell.data.strip():
                draw.text((left, top + 1), cell.data, font=bold if cell.bold else regular, fill=fg)
            if cell.underscore:
                draw.line([left, top + height - 2, left + width - 1, top + height - 2], fill=fg)
    image.save(path, optimize=True)


def main():
    if not os.access(BINARY, os.X_OK):
        sys.exit(f"refresh.py: no plumb binary at {BINARY}; run `swift build` first")
    if not shutil.which("tmux"):
        sys.exit("refresh.py: tmux is missing; install it with: apt-get install tmux")
    work = tempfile.mkdtemp(prefix="plumb-shots-")
    socket = os.path.join(work, "tmux.sock")
    demo = os.path.join(work, "demo")
    try:
        env = {**os.environ, "TERM": "tmux-256color", "HOME": work, "GIT_CONFIG_GLOBAL": "/dev/null"}
        env.pop("NO_COLOR", None)
        subprocess.run([BINARY, "demo", "--dir", demo, "--no-ui"], check=True, env=env, stdout=subprocess.DEVNULL)
        command = f"cd {demo} && TERM=tmux-256color PLUMB_REPO=source.git PLUMB_TARGET=target PLUMB_STATE=state {BINARY}; sleep 60"
        subprocess.run(["tmux", "-S", socket, "-f", "/dev/null", "new-session", "-d", "-s", "shots",
                        "-x", str(COLUMNS), "-y", str(ROWS), command], check=True, env=env,
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        def take(shots, size):
            for name, keys, text, terminal in shots:
                for key in keys:
                    tmux(socket, "send-keys", "-t", "shots", *(["-l", key] if " " in key else [key]))
                    time.sleep(0.15)
                wait_for(socket, text)
                capture = tmux(socket, "capture-pane", "-p", "-e", "-N", "-t", "shots")
                render(capture, os.path.join(OUT, name + ".png"), terminal, size)
                print(f"screenshots/{name}.png")
        take(SHOTS, (COLUMNS, ROWS))
        tmux(socket, "resize-window", "-t", "shots", "-x", str(SMALL[0]), "-y", str(SMALL[1]))
        time.sleep(0.3)
        take(SMALL_SHOTS, SMALL)
        tmux(socket, "send-keys", "-t", "shots", "q")
    finally:
        tmux(socket, "kill-server", check=False)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
