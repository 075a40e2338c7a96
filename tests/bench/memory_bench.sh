#!/bin/sh
# tests/bench/memory_bench.sh: bounded memory (issue 17), called by
# tests/bench/run.sh (`make bench`).
#
# 1. Label screen, audio.  A store of 200 clips: a 10-hour FLAC of
#    silence first (tests/gen_media.py; 576 million samples at 16 kHz,
#    what took 55 s and 7 GB before the screen showed it), then 199
#    10-second WAVs (build/bench/gen_media).  The -O2 ./accord runs
#    `label` in a private tmux server (120x40, truecolor) with
#    ACCORD_TRACE; a driver sends one class key, waits for the trace line
#    of the next item drawn, then the next key, through all 200.  Reported:
#    the long clip's time to show (from starting the session; and the
#    process's CPU time then), and the process's peak RSS (VmHWM from
#    /proc) after the long clip is shown and after all 200.  Target: the
#    long clip shows within 2 s, peak RSS under 100 MB.
#
# 2. Label screen, images.  A store of 190 1024x768 photo-like PNGs
#    (build/bench/gen_media) and 10 decode bombs of 8192x8192 (192 MiB
#    decoded each, tests/gen_media.py), bombs every 19th item, labeled the
#    same way.  The screen reads ahead only while an image at the pixel
#    limit would fit in the decode budget (512 MiB); what it holds is then
#    at most the budget plus one image at the limit (an item it waits
#    for).  Target: peak RSS under that bound plus 64 MiB for the process.
#
# 3. Import.  16 bombs of 8192x8192 imported with --jobs 16 (the issue's
#    figure: 3.2 GB), with the default budget and, as the control, with a
#    budget too large to bind (ACCORD_DECODE_BUDGET=100000).  Target: peak
#    RSS under the budget plus 64 MiB.
#
# It is a report: the exit status is always 0; the verdicts are the lines
# starting "verdict".  Needs ./accord and build/bench/gen_media (`make
# bench`), tmux and /usr/bin/python3.
#
#   BENCH_SMALL=1   20 items per store (the long clip and 2 bombs kept)
#   BENCH_SEED=N    generator seed (default 1)
set -u
cd "$(dirname "$0")/../.." || exit 0
ROOT=$(pwd)
BIN=$ROOT/build/bench
ACCORD=$ROOT/accord
WORK=$BIN/memory
SEED=${BENCH_SEED:-1}
PY=/usr/bin/python3
if [ "${BENCH_SMALL:-0}" != 0 ]; then
	N=20 NBOMB=2
else
	N=200 NBOMB=10
fi

echo "== accord bounded memory: label screen peak RSS over $N items, import of decode bombs"
echo "   $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1))"
echo "   load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
awk -v n="$(nproc)" '$1 > n / 2 { printf "   warning: load %s on %d CPUs: other work is running and will inflate the times\n", $1, n }' /proc/loadavg
missing=
[ -x "$ACCORD" ] || missing="$missing ./accord"
[ -x "$BIN/gen_media" ] || missing="$missing build/bench/gen_media"
[ -x "$PY" ] || missing="$missing /usr/bin/python3"
command -v tmux >/dev/null || missing="$missing tmux"
if [ -n "$missing" ]; then
	echo "verdict memory: SKIP: missing$missing (make bench)"
	exit 0
fi
rm -rf "$WORK"
mkdir -p "$WORK/audio" "$WORK/images" "$WORK/bombs" || {
	echo "verdict memory: SKIP: cannot create $WORK"
	exit 0
}
LOG=$WORK/log
: >"$LOG"
TMUX_TMPDIR=${TMUX_TMPDIR:-${TMPDIR:-/tmp}}
export TMUX_TMPDIR
SOCK=accord-membench-$$
trap 'tmux -L "$SOCK" kill-server 2>/dev/null' EXIT
trap 'exit 0' INT TERM HUP

# --- data ---------------------------------------------------------------
"$PY" tests/gen_media.py flac-silence "$WORK/audio/long.flac" 36000 16000 &&
    "$BIN/gen_media" "$BIN/memory-data-$N" $((N - NBOMB)) $((N - 1)) \
    "$SEED" >>"$LOG" 2>&1 &&
    "$PY" tests/gen_media.py png-bomb "$WORK/bombs" 16 8192 8192 || {
	echo "verdict memory: SKIP: the generators failed (see $LOG)"
	exit 0
}
# The image store's order: a bomb every N / NBOMB items, photos between.
i=0 b=0
for f in "$BIN/memory-data-$N"/png/*.png; do
	if [ $((i % (N / NBOMB))) -eq 0 ] && [ $b -lt $NBOMB ]; then
		cp "$WORK/bombs/bomb-$(printf %02d $b).png" \
		    "$WORK/images/$(printf %04d $i)-bomb.png"
		b=$((b + 1)) i=$((i + 1))
	fi
	cp "$f" "$WORK/images/$(printf %04d $i).png"
	i=$((i + 1))
done

# store KIND DB FILES...: a fresh store of KIND, FILES imported one
# command each in order (the queue gives items in import order).
store() {
	_k=$1 _db=$2
	shift 2
	"$ACCORD" init "$_db" --task membench --media "$_k" \
	    --classes a,b,c >>"$LOG" 2>&1 || return 1
	for _f in "$@"; do
		"$ACCORD" import "$_db" "$_f" --jobs 1 >>"$LOG" 2>&1 || return 1
	done
}

# drive DB TRACE: label every item of DB with key 1 in the -O2 screen;
# prints "first_ms=... first_cpu=... hwm_first_kb=... hwm_kb=... n=..."
drive() {
	"$PY" - "$ACCORD" "$1" "$2" "$SOCK" "$N" <<'EOF'
import os, shlex, subprocess, sys, time
accord, db, trace, sock, n = sys.argv[1:6]
n = int(n)
tmux = ["tmux", "-u", "-L", sock, "-f", "/dev/null"]
# exec: the pane's process is accord itself, whose /proc the driver reads.
cmd = ("exec env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=tmux-256color "
       "COLORTERM=truecolor ACCORD_TRACE=%s %s label %s" % (
       shlex.quote(trace), shlex.quote(accord), shlex.quote(db)))
t0 = time.monotonic()
subprocess.run(tmux + ["new-session", "-d", "-x", "120", "-y", "40", cmd],
    check=True)
pid = subprocess.run(tmux + ["display-message", "-p", "#{pane_pid}"],
    capture_output=True, text=True).stdout.strip()
hz = os.sysconf("SC_CLK_TCK")

def hwm():
    with open("/proc/%s/status" % pid) as f:
        for l in f:
            if l.startswith("VmHWM:"):
                return int(l.split()[1])

def cpu():
    with open("/proc/%s/stat" % pid) as f:
        v = f.read().rsplit(")", 1)[1].split()
    return (int(v[11]) + int(v[12])) / hz

def lines():
    try:
        with open(trace, "rb") as f:
            return f.read().count(b"\n")
    except FileNotFoundError:
        return 0

def fail(why):
    print("error=%s" % why.replace(" ", "_"))
    subprocess.run(tmux + ["kill-server"], stderr=subprocess.DEVNULL)
    sys.exit(0)

while True:
    rows = subprocess.run(tmux + ["capture-pane", "-p"], capture_output=True,
        text=True).stdout.split("\n")
    # An item is shown: the status bar on row 0, its path (or name) on 1.
    if len(rows) > 1 and rows[0].startswith(" accord | ") and rows[1].strip():
        break
    if time.monotonic() - t0 > 120:
        fail("the first item never showed")
    time.sleep(0.01)
first_ms = (time.monotonic() - t0) * 1000
first_cpu = cpu()
time.sleep(1)   # the loader reads ahead meanwhile
hwm_first = hwm()
for i in range(n):
    before = lines()
    subprocess.run(tmux + ["send-keys", "-l", "1"], check=True)
    t = time.monotonic()
    while lines() == before:
        if time.monotonic() - t > 60:
            fail("no trace line 60 s after key %d" % (i + 1))
        time.sleep(0.002)
peak = hwm()
subprocess.run(tmux + ["kill-server"], stderr=subprocess.DEVNULL)
print("first_ms=%.0f first_cpu=%.2f hwm_first_kb=%d hwm_kb=%d n=%d" % (
    first_ms, first_cpu, hwm_first, peak, n))
EOF
}
field() { tr ' ' '\n' <"$2" | sed -n "s/^$1=//p"; }

# label_run NAME KIND FILES...: a store of FILES, labeled through by
# drive; 0 with $WORK/NAME.out holding drive's figures, else 1 after the
# verdict line saying why.
label_run() {
	_n=$1 _k=$2
	shift 2
	if store "$_k" "$WORK/$_n.accord" "$@"; then
		drive "$WORK/$_n.accord" "$WORK/$_n.trace" >"$WORK/$_n.out"
	else
		echo "error=store" >"$WORK/$_n.out"
	fi
	[ -z "$(field error "$WORK/$_n.out")" ] && return 0
	echo "verdict memory $_n: FAIL: $(field error "$WORK/$_n.out") (see $LOG)"
	return 1
}

# --- 1. label screen, audio ---------------------------------------------
echo
echo "-- label screen, audio: the 10-hour FLAC then $((N - 1)) 10-second WAVs"
if label_run audio audio "$WORK/audio/long.flac" "$BIN/memory-data-$N/wav"
then
	awk -v out="$(cat "$WORK/audio.out")" 'BEGIN {
		n = split(out, kv, /[ =]/)
		for (i = 1; i < n; i += 2) v[kv[i]] = kv[i + 1]
		printf "   long clip shown after %.0f ms (the screen had used %.2f s of CPU)\n", v["first_ms"], v["first_cpu"]
		printf "   peak RSS: %.1f MB with the long clip shown, %.1f MB after %d items\n",
		    v["hwm_first_kb"] / 1024, v["hwm_kb"] / 1024, v["n"]
		ok = v["first_ms"] < 2000 && v["hwm_kb"] < 100 * 1024
		printf "verdict memory audio: %s: shown in %.2f s (target 2 s), peak RSS %.1f MB (target 100 MB)\n",
		    ok ? "PASS" : "FAIL", v["first_ms"] / 1000, v["hwm_kb"] / 1024
	}'
fi

# --- 2. label screen, images --------------------------------------------
BUDGET_KB=$((512 * 1024)) ONE_KB=$((8192 * 8192 * 3 / 1024))
echo
echo "-- label screen, images: $((N - NBOMB)) 1024x768 PNGs and $NBOMB bombs of 8192x8192"
if label_run images image "$WORK/images"; then
	hwm=$(field hwm_kb "$WORK/images.out")
	bound=$((BUDGET_KB + ONE_KB + 64 * 1024))
	echo "   peak RSS over $N items: $((hwm / 1024)) MB; bound: budget 512 MiB + one image at the limit $((ONE_KB / 1024)) MiB + 64 MiB = $((bound / 1024)) MiB"
	[ "$hwm" -lt "$bound" ] && v=PASS || v=FAIL
	echo "verdict memory images: $v: peak RSS $((hwm / 1024)) MB (target under $((bound / 1024)) MiB)"
fi

# --- 3. import of decode bombs --------------------------------------------
echo
echo "-- import: 16 decode bombs of 8192x8192 (192 MiB decoded each), --jobs 16"
imp() {
	rm -f "$WORK/bombs.accord"
	"$ACCORD" init "$WORK/bombs.accord" --task membench --media image \
	    --classes a,b >>"$LOG" 2>&1 || return 1
	ACCORD_DECODE_BUDGET=$1 "$PY" - "$ACCORD" "$WORK/bombs.accord" \
	    "$WORK/bombs" <<'EOF'
import resource, subprocess, sys, time
t = time.monotonic()
r = subprocess.run([sys.argv[1], "import", sys.argv[2], sys.argv[3],
    "--jobs", "16"], stdout=subprocess.DEVNULL)
print("rc=%d wall=%.1f rss_kb=%d" % (r.returncode, time.monotonic() - t,
    resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
EOF
}
imp "" >"$WORK/imp.out"
imp 100000 >"$WORK/imp-control.out"
rss=$(field rss_kb "$WORK/imp.out") ctl=$(field rss_kb "$WORK/imp-control.out")
if [ "$(field rc "$WORK/imp.out")" != 0 ] ||
    [ "$(field rc "$WORK/imp-control.out")" != 0 ]; then
	echo "verdict memory import: FAIL: an import failed (see $LOG)"
else
	echo "   default budget (512 MiB): peak RSS $((rss / 1024)) MB in $(field wall "$WORK/imp.out") s"
	echo "   control, no binding budget: peak RSS $((ctl / 1024)) MB in $(field wall "$WORK/imp-control.out") s"
	[ "$rss" -lt $((BUDGET_KB + 64 * 1024)) ] && v=PASS || v=FAIL
	echo "verdict memory import: $v: peak RSS $((rss / 1024)) MB (target under $((BUDGET_KB / 1024 + 64)) MiB; control $((ctl / 1024)) MB)"
fi
echo "   load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit 0
