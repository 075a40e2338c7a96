#!/bin/sh
# tests/bench/bytes_bench.sh: bytes the label screen writes to the terminal
# per item, against chafa (issue 17, "Fewer bytes").
#
# For each terminal size (200x60, 80x24) and colour depth (truecolor: TERM
# tmux-256color with COLORTERM=truecolor, which gives the tmux-direct
# entry; 256: the same TERM without COLORTERM, as over SSH), fresh stores
# of assets/demo (60 images, 40 audio clips) are labeled by the OS user
# running this script in a private tmux server of that size.  tmux's
# pipe-pane records every byte accord writes to its terminal.  After the
# first item is drawn, a driver sends one class key, waits until the trace
# (ACCORD_TRACE) gains that key's line and the output has been quiet for
# QUIET_MS, and counts the bytes the key brought: the next item's status,
# panel and picture, and nothing else.  The label of a store's last item
# (nothing left) is not counted.
#
# chafa gets the same images in the same run: for every image item that
# was counted, `chafa --size CxR --symbols vhalf -c full|256 -f symbols
# FILE` with CxR the label screen's media pane (the terminal less the
# 28-column class panel and its rule, less the 4 text rows) and the same
# TERM, which prints only the picture (no status or panel: the comparison
# leans against accord).  Target: per size and depth, accord's mean bytes
# per image item no more than chafa's mean over the same files.  Audio
# has no counterpart in chafa; its figures are reported.  Of each mean,
# the bytes curses wrote (status, panel, message line: everything outside
# the media cells' DECSC ... DECRC emissions) are shown apart.
#
# It is a report: the exit status is always 0; the verdicts are the lines
# starting "verdict".  Needs ./accord (`make`), tmux, python3 and the
# Debian package chafa (`make deps-bench`; without chafa the image
# verdicts are SKIP and the figures are still printed).
#
#   BENCH_SMALL=1            12 image and 8 audio items per run
#   BYTES_BENCH_ACCORD=FILE  the binary driven (default ./accord), e.g. an
#                            older build for a before/after figure
#   BYTES_BENCH_WORK=DIR     scratch directory, emptied first (default
#                            build/bench/bytes): stores, recordings, log
set -u
cd "$(dirname "$0")/../.." || exit 0
ROOT=$(pwd)
ACCORD=${BYTES_BENCH_ACCORD:-$ROOT/accord}
WORK=${BYTES_BENCH_WORK:-$ROOT/build/bench/bytes}
DEMO=$ROOT/assets/demo
QUIET_MS=200
PANEL_W=28	# tui/screen_label.h
if [ "${BENCH_SMALL:-0}" != 0 ]; then
	NIMG=12 NAUD=8
else
	NIMG=59 NAUD=39		# every item but the last of each store
fi

# Debian's python3 (the driver needs nothing but its standard library).
PY=/usr/bin/python3
[ -x $PY ] || PY=$(command -v python3 || true)
LOG=$WORK/log
rm -rf "$WORK"
mkdir -p "$WORK" && : >"$LOG" ||
    { echo "bytes_bench: cannot create $WORK"; exit 0; }
TMUX_TMPDIR=${TMUX_TMPDIR:-${TMPDIR:-/tmp}}
export TMUX_TMPDIR
SOCK=accord-bytes-$$
trap 'tmux -L "$SOCK" kill-server 2>/dev/null' EXIT
trap 'exit 0' INT TERM HUP

echo
echo "== accord label screen: bytes written per item, against chafa"
echo "   $ACCORD; tmux $(tmux -V 2>/dev/null | cut -d' ' -f2); $(chafa --version 2>/dev/null | head -n 1)"

missing=
for need in "$ACCORD" tmux "$PY"; do
	command -v "$need" >/dev/null 2>&1 || missing="$missing ${need:-python3}"
done
[ -z "$missing" ] || { echo "verdict bytes: SKIP: missing$missing"; exit 0; }
HAVE_CHAFA=1
command -v chafa >/dev/null || HAVE_CHAFA=0

# new_store KIND TAG: a fresh store of the demo's KIND (images|audio);
# prints its path.
new_store() {
	db=$WORK/$1-$2.accord
	case $1 in
	images) media=image classes=ok,scratch,dent ;;
	audio) media=audio classes=clean,noisy,clipped ;;
	esac
	"$ACCORD" init "$db" --task bytes --media $media --classes $classes \
	    --borderline unsure >>"$LOG" 2>&1 &&
	    "$ACCORD" import "$db" "$DEMO/$1" --meta "$DEMO/$1.csv" \
	    >>"$LOG" 2>&1 || return 1
	echo "$db"
}

# drive DB W H DEPTH N OUT: label N items of DB in a W x H tmux session at
# DEPTH (truecolor|256); OUT gets one line per counted item: "ITEM BYTES
# TEXT" (the item drawn by the key, the bytes the key brought, and of
# those the bytes curses wrote: all but the media cells' DECSC...DECRC
# emissions), and OUT.first the bytes of the first screen.
drive() {
	"$PY" - "$ACCORD" "$@" "$SOCK" "$QUIET_MS" >>"$LOG" 2>&1 <<'EOF'
import os, shlex, subprocess, sys, time
accord, db, w, h, depth, n, out, sock, quiet = sys.argv[1:10]
n, quiet = int(n), int(quiet) / 1000
raw, trace, go = out + ".raw", out + ".trace", out + ".go"
tmux = ["tmux", "-u", "-L", sock, "-f", "/dev/null"]
env = "env -i PATH=/usr/bin:/bin HOME=%s LANG=C.UTF-8 TERM=tmux-256color" % (
    shlex.quote(os.path.dirname(out)))
if depth == "truecolor":
    env += " COLORTERM=truecolor"
# The pane waits for GO so that pipe-pane records from accord's first byte.
cmd = "while [ ! -e %s ]; do sleep 0.02; done; %s ACCORD_TRACE=%s %s label %s" % (
    shlex.quote(go), env, shlex.quote(trace), shlex.quote(accord),
    shlex.quote(db))
subprocess.run(tmux + ["new-session", "-d", "-x", w, "-y", h, cmd],
    check=True)
subprocess.run(tmux + ["pipe-pane", "-o", "cat >>" + shlex.quote(raw)],
    check=True)
open(go, "w").close()

def size():
    try:
        return os.path.getsize(raw)
    except FileNotFoundError:
        return 0

def lines():
    try:
        with open(trace, "rb") as f:
            return f.read().decode().splitlines()
    except FileNotFoundError:
        return []

def fail(why):
    print("drive: %s %sx%s %s: %s" % (db, w, h, depth, why))
    subprocess.run(tmux + ["kill-server"], stderr=subprocess.DEVNULL)
    sys.exit(1)

# The bytes of raw[a:b] outside the media emissions (ESC 7 ... ESC 8).
def text_bytes(a, b):
    with open(raw, "rb") as f:
        f.seek(a)
        d = f.read(b - a)
    media = i = 0
    while True:
        s = d.find(b"\x1b7", i)
        if s < 0:
            break
        e = d.find(b"\x1b8", s)
        e = len(d) if e < 0 else e + 2
        media += e - s
        i = e
    return len(d) - media

def screen():
    return subprocess.run(tmux + ["capture-pane", "-p"],
        capture_output=True, text=True).stdout

# Settled: the status bar is up, nothing is loading, and no byte has come
# for `quiet` seconds.
def settle(what):
    t0 = time.monotonic()
    last, since = size(), time.monotonic()
    while True:
        time.sleep(0.01)
        now = time.monotonic()
        if now - t0 > 20:
            fail("%s: the screen never settled:\n%s" % (what, screen()))
        s = size()
        if s != last:
            last, since = s, now
            continue
        if now - since < quiet:
            continue
        sc = screen()
        if sc.startswith(" accord |") and "loading..." not in sc:
            return s
        since = now

prev = settle("the first item")
with open(out + ".first", "w") as f:
    f.write("%d\n" % prev)
keys = "123"
with open(out, "w") as f:
    for i in range(n):
        before = len(lines())
        subprocess.run(tmux + ["send-keys", "-l", keys[i % 3]], check=True)
        t = time.monotonic()
        while len(lines()) == before:
            if time.monotonic() - t > 10:
                fail("no trace line 10 s after key %d" % (i + 1))
            time.sleep(0.002)
        line = lines()[-1]
        item = [v[5:] for v in line.split() if v.startswith("next=")]
        if "action=label" not in line or not item or item[0] == "0":
            fail("key %d did not label and show a next item: %s"
                 % (i + 1, line))
        now = settle("key %d" % (i + 1))
        f.write("%s %d %d\n" % (item[0], now - prev, text_bytes(prev, now)))
        prev = now
subprocess.run(tmux + ["kill-server"], stderr=subprocess.DEVNULL)
EOF
}

# chafa_bytes DB ITEMS COLS ROWS DEPTH: per item of the list ITEMS (lines
# "ITEM BYTES"), the bytes chafa prints for its file.
chafa_bytes() {
	"$PY" - "$@" 2>>"$LOG" <<'EOF'
import os, sqlite3, subprocess, sys
db, items, cols, rows, depth = sys.argv[1:6]
con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
env = dict(os.environ, TERM="tmux-256color")
for line in open(items):
    item = int(line.split()[0])
    path, = con.execute("SELECT path FROM items WHERE id = ?",
        (item,)).fetchone()
    out = subprocess.run(["chafa", "--size", "%sx%s" % (cols, rows),
        "--symbols", "vhalf", "-c", "full" if depth == "truecolor" else "256",
        "-f", "symbols", path], env=env, capture_output=True,
        check=True).stdout
    print(item, len(out))
EOF
}

# summary FILE: "n mean p50 max" of the second column.
summary() {
	sort -n -k 2 "$1" | awk '{ v[NR] = $2; s += $2 }
	END {
		if (NR == 0) { print "0 0 0 0"; exit }
		r = int(0.5 * NR); if (r < 0.5 * NR) r++
		printf "%d %.0f %d %d\n", NR, s / NR, v[r], v[NR]
	}'
}

RES=$WORK/results
: >"$RES"
for size in 200x60 80x24; do
	w=${size%x*} h=${size#*x}
	cols=$((w - PANEL_W - 1)) rows=$((h - 4))
	for depth in truecolor 256; do
		for kind in images audio; do
			[ $kind = images ] && n=$NIMG || n=$NAUD
			tag=$size-$depth
			out=$WORK/$kind-$tag
			if ! db=$(new_store $kind "$tag"); then
				echo "   $kind $tag: cannot make a store (see $LOG)"
				continue
			fi
			if ! drive "$db" "$w" "$h" "$depth" "$n" "$out"; then
				echo "   $kind $tag: the driver failed (see $LOG)"
				continue
			fi
			set -- $(summary "$out")
			c=-
			if [ $kind = images ] && [ $HAVE_CHAFA = 1 ]; then
				if chafa_bytes "$db" "$out" $cols $rows $depth \
				    >"$out.chafa"; then
					c=$(summary "$out.chafa" | cut -d' ' -f2)
				else
					echo "   $kind $tag: chafa failed (see $LOG)"
				fi
			fi
			text=$(awk '{ s += $3 } END { printf "%.0f", NR ? s / NR : 0 }' "$out")
			echo "$kind $size $depth $1 $2 $3 $4 $c $(cat "$out.first") $text" \
			    >>"$RES"
		done
	done
done

awk -v chafa="$HAVE_CHAFA" '
BEGIN {
	printf "\n   %-6s %-6s %-9s %5s %9s %9s %9s %9s %9s %9s\n", "kind",
	    "size", "depth", "items", "mean B", "p50 B", "max B", "chafa B",
	    "text B", "first B"
}
{
	printf "   %-6s %-6s %-9s %5d %9d %9d %9d %9s %9d %9d\n", $1, $2, $3,
	    $4, $5, $6, $7, $8, $10, $9
	if ($1 != "images")
		next
	if (!chafa)
		printf "verdict bytes %s %s: SKIP: chafa is not installed\n", $2, $3
	else if ($8 == "-")
		printf "verdict bytes %s %s: FAIL: no chafa figure\n", $2, $3
	else if ($5 <= $8)
		printf "verdict bytes %s %s: PASS: %d <= chafa %d bytes per image (%.2fx)\n",
		    $2, $3, $5, $8, $5 / $8
	else
		printf "verdict bytes %s %s: FAIL: %d > chafa %d bytes per image (%.2fx)\n",
		    $2, $3, $5, $8, $5 / $8
}
END {
	print "   mean/p50/max: bytes accord wrote from a class key to the next item drawn"
	print "   (status, panel and picture); chafa: its output for the same image files"
	print "   at the media pane size; text: of the mean, what curses wrote (status,"
	print "   panel, message; not the picture); first: the first screen, whole"
}' "$RES"
exit 0
