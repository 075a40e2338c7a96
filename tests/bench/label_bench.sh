#!/bin/sh
# tests/bench/label_bench.sh: the label screen's two benchmarks.
#
# 1. Render.  A 3000x2000 photo-like PNG (ImageMagick plasma + Gaussian
#    noise, fixed seed, 8-bit) into a 160x48 pane: build/bench/render times
#    read, decode, scale, cells and the truecolor escape output phase by
#    phase (in-process medians); then `render FILE 160 48 1` and
#    `chafa --size 160x48 --symbols vhalf -c full -f symbols FILE` are run
#    alternately as processes, BENCH_RENDER_RUNS times each, and their
#    median wall times compared: the same measure for both, taken in the
#    same run under the same load.  (-c full -f symbols make chafa print
#    what accord prints, truecolor half blocks, whatever $TERM says.  The
#    accord process also checks the SHA-256 as the label screen does,
#    about 10 ms chafa does not spend: the comparison leans against
#    accord.)  Target: accord no slower than chafa.
#
# 2. Keystroke.  Fresh stores from assets/demo (images: 60 items, audio:
#    40; overlap 3), each labeled to the end by the OS user running this
#    script: two image stores and two audio stores, 200 labels in all.  The
#    -O2 ./accord runs in a private tmux server (120x40, LANG=C.UTF-8,
#    COLORTERM=truecolor) with ACCORD_TRACE; a driver sends one class key,
#    waits until the trace gains that key's line (the next item drawn), then
#    sends the next, so keys never queue.  p50 and p99 (nearest rank) of
#    the ms of label actions that drew a next item, per media kind; the
#    label of a store's last item (next=0, "nothing left") is counted
#    apart.  Target: p99 under 16 ms.
#
# It is a report: the exit status is always 0; the verdicts are the lines
# starting "verdict".  Needs build/bench/render and ./accord (`make bench`),
# and the Debian packages chafa, imagemagick, tmux, python3 (and
# ncurses-term for the tmux-direct terminfo entry).
#
#   BENCH_SMALL=1         a quick try: 5 render runs, one store per kind
#   BENCH_RENDER_RUNS=N   runs of each side of the render comparison (20)
#   BENCH_THINK_MS=N      pause after each item is drawn before the next key
#                         (default 0: as fast as the screen allows)
#   BENCH_SEED=N          seed of the test image (default 1)
#   LABEL_BENCH_STORE=DB  instead of both benchmarks above, the keystroke
#                         one on DB, an existing store (a copy: the run
#                         labels in it as this OS user) whose queue gives
#                         this user items with files behind them (e.g. a
#                         generated 1M-item store whose first items' paths
#                         and hashes were pointed at real files: what
#                         scale_bench.sh does with tests/bench/key_store.py)
#   LABEL_BENCH_N=N       keys to send in that mode (default 500)
#   LABEL_BENCH_ACCORD=FILE  the binary driven (default ./accord;
#                         scale_bench.sh passes the one its table measures)
#   LABEL_BENCH_COLOR=D   the keystroke run at colour depth D (256, 16, 8:
#                         ACCORD_COLOR, dithered) instead of truecolor
#   LABEL_BENCH_VIEW=KEYS view keys sent once before the first label, e.g.
#                         "}](" (contrast, brightness, gamma: kept for
#                         every item, so each is drawn adjusted)
#   LABEL_BENCH_WORK=DIR  the scratch directory, emptied first (default
#                         build/bench/label): stores, traces, log
#
# Both modes also give the first item's time: from starting the tmux
# session that runs `accord label` to the item's path on tmux's screen
# (polled; it includes the shell tmux starts and the store's opening).
set -u
cd "$(dirname "$0")/../.." || exit 0
ROOT=$(pwd)
BIN=$ROOT/build/bench
ACCORD=${LABEL_BENCH_ACCORD:-$ROOT/accord}
WORK=${LABEL_BENCH_WORK:-$BIN/label}
if [ "${BENCH_SMALL:-0}" != 0 ]; then
	RUNS=${BENCH_RENDER_RUNS:-5} STORES=1
else
	RUNS=${BENCH_RENDER_RUNS:-20} STORES=2
fi
THINK=${BENCH_THINK_MS:-0}
SEED=${BENCH_SEED:-1}
TARGET_MS=16
DEMO=$ROOT/assets/demo

if [ -x /usr/bin/python3 ]; then
	PY=/usr/bin/python3
else
	PY=$(command -v python3 || true)
fi
# ImageMagick's own convert, not whatever else is first on PATH.
if [ -x /usr/bin/convert ]; then
	CONVERT=/usr/bin/convert
else
	CONVERT=$(command -v convert || true)
fi

rm -rf "$WORK"
mkdir -p "$WORK" || { echo "label_bench: cannot create $WORK"; exit 0; }
: >"$WORK/log"
# A driver that dies must not leave its tmux server behind.  tmux keeps
# its sockets in $TMUX_TMPDIR: under $TMPDIR when that is set.
TMUX_TMPDIR=${TMUX_TMPDIR:-${TMPDIR:-/tmp}}
export TMUX_TMPDIR
SOCK=$TMUX_TMPDIR/tmux-$(id -u)/accord-bench-$$
trap 'tmux -L "accord-bench-$$" kill-server 2>/dev/null; rm -f "$SOCK"' EXIT
trap 'exit 0' INT TERM HUP

echo "== accord label screen benchmarks"
echo "   $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1))"
echo "   load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
# Both benchmarks time wall clock on a few cores: other work inflates them.
awk -v n="$(nproc)" '$1 > n / 2 { printf "   warning: load %s on %d CPUs: other work is running and will inflate the times\n", $1, n }' /proc/loadavg

# --- 1. render vs chafa ------------------------------------------------

render_bench() {
	missing=
	[ -x "$BIN/render" ] || missing="$missing build/bench/render (make bench)"
	command -v chafa >/dev/null || missing="$missing chafa"
	[ -n "$CONVERT" ] || missing="$missing imagemagick"
	[ -n "$PY" ] || missing="$missing python3"
	if [ -n "$missing" ]; then
		echo "verdict render: SKIP: missing$missing"
		return
	fi
	img=$BIN/render-3000x2000-seed$SEED.png
	if [ ! -s "$img" ]; then
		# -strip and no time chunks: the same seed gives the same bytes.
		if ! "$CONVERT" -seed "$SEED" -size 3000x2000 plasma:fractal \
		    -attenuate 0.6 +noise Gaussian -depth 8 -strip \
		    -define png:exclude-chunks=date,time "$img.tmp.png" ||
		    ! mv "$img.tmp.png" "$img"; then
			echo "verdict render: SKIP: ImageMagick could not make $img"
			return
		fi
	fi
	cat "$img" >/dev/null	# into the page cache for both sides
	echo
	echo "-- render: $img ($(wc -c <"$img") bytes), pane 160x48"
	if ! "$BIN/render" "$img" 160 48 "$RUNS" >"$WORK/render.out" \
	    2>"$WORK/render.err"; then
		echo "verdict render: FAIL: render failed: $(head -c 300 "$WORK/render.err")"
		return
	fi
	sed 's/^/   /' "$WORK/render.out"
	bytes=$(chafa --size 160x48 --symbols vhalf -c full -f symbols "$img" |
	    wc -c)
	echo "   chafa prints $bytes bytes for the same image"

	if ! "$PY" - "$RUNS" "$BIN/render" "$img" >"$WORK/render.wall" \
	    2>>"$WORK/render.err" <<'EOF'
import statistics, subprocess, sys, time
runs, render, img = int(sys.argv[1]), sys.argv[2], sys.argv[3]
cmds = {
    "accord": [render, img, "160", "48", "1"],
    "chafa": ["chafa", "--size", "160x48", "--symbols", "vhalf",
              "-c", "full", "-f", "symbols", img],
}
wall = {k: [] for k in cmds}
for k in cmds:  # one warm-up each: libraries and the file in the cache
    subprocess.run(cmds[k], stdout=subprocess.DEVNULL, check=True)
for i in range(runs):
    # Alternate, so a burst of load elsewhere hits both sides alike.
    for k in (("accord", "chafa") if i % 2 == 0 else ("chafa", "accord")):
        t = time.monotonic()
        subprocess.run(cmds[k], stdout=subprocess.DEVNULL, check=True)
        wall[k].append((time.monotonic() - t) * 1000)
for k in cmds:
    v = wall[k]
    print("%s median_ms=%.2f min_ms=%.2f max_ms=%.2f" % (
        k, statistics.median(v), min(v), max(v)))
EOF
	then
		echo "verdict render: FAIL: the wall-time runs failed: $(tail -c 300 "$WORK/render.err")"
		return
	fi
	awk -v runs="$RUNS" -v inproc="$(sed -n 's/^render total_ms=\([0-9.]*\).*/\1/p' "$WORK/render.out")" '
	{ for (i = 2; i <= NF; i++) { split($i, kv, "="); v[$1, kv[1]] = kv[2] } }
	END {
		a = v["accord", "median_ms"]; c = v["chafa", "median_ms"]
		printf "   wall time per process, median of %d alternating runs:\n", runs
		printf "     accord render  %8.2f ms  (min %.2f, max %.2f; in-process total %.2f)\n",
		    a, v["accord", "min_ms"], v["accord", "max_ms"], inproc
		printf "     chafa          %8.2f ms  (min %.2f, max %.2f)\n",
		    c, v["chafa", "min_ms"], v["chafa", "max_ms"]
		if (a <= c)
			printf "verdict render: PASS: %.1f ms <= chafa %.1f ms (%.2fx)\n", a, c, c / a
		else
			printf "verdict render: FAIL: %.1f ms > chafa %.1f ms (%.2fx slower)\n", a, c, a / c
	}' "$WORK/render.wall"
}

# --- 2. keystroke to next item drawn -----------------------------------

# new_store KIND N: a fresh store of the demo's KIND (images|audio) at
# $WORK/KIND-N.accord; prints its path.
new_store() {
	db=$WORK/$1-$2.accord
	if [ "$1" = images ]; then
		"$ACCORD" init "$db" --task "surface defects" --media image \
		    --classes ok,scratch,dent --borderline unsure --overlap 3 \
		    >>"$WORK/log" 2>&1 || return 1
	else
		"$ACCORD" init "$db" --task "speech quality" --media audio \
		    --classes clean,noisy,clipped --borderline unsure --overlap 3 \
		    >>"$WORK/log" 2>&1 || return 1
	fi
	"$ACCORD" import "$db" "$DEMO/$1" --meta "$DEMO/$1.csv" --batch demo \
	    >>"$WORK/log" 2>&1 || return 1
	echo "$db"
}

# drive DB TRACE N KEYS: label N items of DB in a private tmux server, one
# key at a time, cycling through KEYS (see the top); TRACE.first gets the
# first item's ms.  The driver is Python so that polling the trace
# costs no fork per look: the machine has few cores and the screen's time
# is what is measured.
drive() {
	"$PY" - "$ACCORD" "$1" "$2" "$3" "$THINK" "accord-bench-$$" "$4" \
	    >>"$WORK/log" 2>&1 <<'EOF'
import os, shlex, subprocess, sys, time
accord, db, trace, n, think, sock, keys = sys.argv[1:8]
n, think = int(n), float(think) / 1000
# -u: the server takes the output as UTF-8 whatever this locale is.
tmux = ["tmux", "-u", "-L", sock, "-f", "/dev/null"]
env = "env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=tmux-256color COLORTERM=truecolor"
# LABEL_BENCH_COLOR=256 (or 16, 8): that depth, dithered, instead.
if os.environ.get("LABEL_BENCH_COLOR"):
    env += " ACCORD_COLOR=" + shlex.quote(os.environ["LABEL_BENCH_COLOR"])
cmd = "%s ACCORD_TRACE=%s %s label %s" % (env, shlex.quote(trace),
    shlex.quote(accord), shlex.quote(db))
t0 = time.monotonic()
subprocess.run(tmux + ["new-session", "-d", "-x", "120", "-y", "40", cmd],
    check=True)

def lines():
    try:
        with open(trace, "rb") as f:
            return f.read().count(b"\n")
    except FileNotFoundError:
        return 0

def fail(why):
    print("drive: %s: %s" % (db, why))
    subprocess.run(tmux + ["kill-server"], stderr=subprocess.DEVNULL)
    sys.exit(1)

# The first item is on screen when its path is (row 1).
while True:
    screen = subprocess.run(tmux + ["capture-pane", "-p"],
        capture_output=True, text=True).stdout
    rows = screen.split("\n")
    # Row 1 names the item: its path, or "item N" (show-paths, the
    # default of a new project, hides paths).
    if len(rows) > 1 and (rows[1].startswith("/") or
            rows[1].startswith("item ")):
        break
    if time.monotonic() - t0 > 20:
        fail("the first item never showed:\n" + screen)
    time.sleep(0.01)
with open(trace + ".first", "a") as f:
    f.write("%.1f\n" % ((time.monotonic() - t0) * 1000))
# LABEL_BENCH_VIEW: view keys sent once before the first label (e.g.
# "}](" contrast, brightness and gamma: the tones are kept for every item,
# so each next item is drawn adjusted).
for k in os.environ.get("LABEL_BENCH_VIEW", ""):
    subprocess.run(tmux + ["send-keys", "-l", k], check=True)
    time.sleep(0.2)
time.sleep(think)
for i in range(n):
    before = lines()
    subprocess.run(tmux + ["send-keys", "-l", keys[i % len(keys)]],
        check=True)
    t = time.monotonic()
    while lines() == before:
        if time.monotonic() - t > 10:
            fail("no trace line 10 s after key %d" % (i + 1))
        time.sleep(0.001)
    time.sleep(think)
subprocess.run(tmux + ["send-keys", "q"], check=True)
t = time.monotonic()
while subprocess.run(tmux + ["has-session"],
        stderr=subprocess.DEVNULL).returncode == 0:
    if time.monotonic() - t > 10:
        fail("accord did not quit")
    time.sleep(0.05)
subprocess.run(tmux + ["kill-server"], stderr=subprocess.DEVNULL)
EOF
}

# stats KIND TRACE: the kind's summary line and verdict.
stats() {
	awk -v kind="$1" -v target="$TARGET_MS" '
	/action=label/ {
		ms = $0; sub(/.* ms=/, "", ms)
		if ($0 ~ / next=0 /) { last++; lastms = lastms sprintf(" %.1f", ms); next }
		v[n++] = ms + 0
	}
	END {
		if (n == 0) {
			printf "verdict keystroke %s: FAIL: no label lines in the trace\n", kind
			exit
		}
		# insertion sort: n is a few hundred
		for (i = 1; i < n; i++) {
			x = v[i]
			for (j = i - 1; j >= 0 && v[j] > x; j--) v[j + 1] = v[j]
			v[j + 1] = x
		}
		# nearest rank: the ceil(q n)-th smallest
		r50 = int(0.50 * n); if (r50 < 0.50 * n) r50++
		r99 = int(0.99 * n); if (r99 < 0.99 * n) r99++
		p50 = v[r50 - 1]; p99 = v[r99 - 1]
		printf "   %-6s n=%d  p50 %.2f ms  p99 %.2f ms  max %.2f ms  (last item, next=0, apart:%s)\n",
		    kind, n, p50, p99, v[n - 1], lastms
		printf "verdict keystroke %s: %s: p99 %.2f ms %s %d ms\n", kind,
		    p99 < target ? "PASS" : "FAIL", p99,
		    p99 < target ? "<" : ">=", target
	}' "$2"
}

keystroke_bench() {
	missing=
	[ -x "$ACCORD" ] || missing="$missing $ACCORD (make)"
	command -v tmux >/dev/null || missing="$missing tmux"
	[ -n "$PY" ] || missing="$missing python3"
	if [ -n "$missing" ]; then
		echo "verdict keystroke: SKIP: missing$missing"
		return
	fi
	echo
	echo "-- keystroke to next item drawn: $ACCORD label in tmux 120x40," \
	    "${LABEL_BENCH_COLOR:+ACCORD_COLOR=}${LABEL_BENCH_COLOR:-truecolor}${LABEL_BENCH_VIEW:+, view keys $LABEL_BENCH_VIEW}, think time ${THINK} ms"
	if [ -n "${LABEL_BENCH_STORE:-}" ]; then
		kinds=store
		store_keys=$("$PY" - "$LABEL_BENCH_STORE" 2>>"$WORK/log" <<'EOF'
import sqlite3, sys
con = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
print("".join(r[0] for r in con.execute(
    "SELECT key FROM classes ORDER BY position")))
EOF
		) || store_keys=
		if [ -z "$store_keys" ]; then
			echo "verdict keystroke store: FAIL: cannot read the classes of $LABEL_BENCH_STORE"
			return
		fi
		echo "   store $LABEL_BENCH_STORE, ${LABEL_BENCH_N:-500} keys ($store_keys)"
		: >"$WORK/store.trace"
		drive "$LABEL_BENCH_STORE" "$WORK/store.trace" \
		    "${LABEL_BENCH_N:-500}" "$store_keys" ||
		    echo "   store: the driver failed (see $WORK/log)"
	else
		kinds="images audio"
		for kind in $kinds; do
			[ $kind = images ] && n=60 || n=40
			: >"$WORK/$kind.trace"
			for k in $(seq "$STORES"); do
				db=$(new_store "$kind" "$k") || {
					echo "   $kind: cannot make a store (see $WORK/log)"
					continue
				}
				drive "$db" "$WORK/$kind.trace" "$n" 123b ||
				    echo "   $kind: store $k: the driver failed (see $WORK/log)"
			done
		done
	fi
	for kind in $kinds; do
		stats $kind "$WORK/$kind.trace"
	done
	for kind in $kinds; do
		[ -s "$WORK/$kind.trace.first" ] &&
		    printf '   %-6s first item drawn: %s ms\n' $kind \
		    "$(tr '\n' ' ' <"$WORK/$kind.trace.first")"
	done
	echo "   5 slowest (of those counted):"
	for kind in $kinds; do
		grep -v ' next=0 ' "$WORK/$kind.trace" | sed "s/^/$kind /"
	done | awk '{ ms = $0; sub(/.* ms=/, "", ms); print ms "\t" $0 }' |
	    sort -rn | head -n 5 | cut -f 2- | sed 's/^/     /'
	echo "   traces:$(for kind in $kinds; do printf ' %s' "$WORK/$kind.trace"; done)"
}

[ -n "${LABEL_BENCH_STORE:-}" ] || render_bench
keystroke_bench
echo "   load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit 0
