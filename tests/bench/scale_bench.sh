#!/bin/sh
# tests/bench/scale_bench.sh: the scale table (`make bench`, from
# tests/bench/run.sh; issue 14).  For each size, a store made by
# build/bench/gen_store (SIZE items x 3 labelers, 10% of the cells empty,
# overlap 5, so every item is still open to a new labeler), then:
#
#  - take: one labeler (a real OS user with the labeler role when this
#    runs as root; the running user, the store's admin, otherwise) labels
#    SCALE_TAKES items with `accord label --script`; p50/p99 of the take
#    (queue_take) and of the commit (label_put) from ACCORD_TRACE;
#  - each command against an SQL or sqlite3 equivalent doing the same
#    work, side by side: wall time, peak RSS (/usr/bin/time) and the ratio
#    accord / equivalent.  The equivalents are the queries below (Q_*);
#  - at the largest size, 16 labelers at once on a copy of the store
#    (tests/stress/labelers.sh with STRESS_STORE; root only).
#
# It measures whatever binary it is given and never stops for a command
# that fails: that row reads "failed" (exit status, or a crash) and the
# table goes on.  `check` exits 1 on these stores (their items have no
# files: every path is listed as missing), which is its answer, not a
# failure.  The store gets a second batch (the upper half of the items
# moved to "bench2") so that `drift` has two batches, and a predictions
# file (a class per item, by id) for `errors`.
#
# `stats` and `review` are full-screen: their row is the time from start
# to the first screen (a private tmux server, 120x40, polled every 20 ms
# until the screen shows its title line), then q; peak RSS is the whole
# run's.  Without tmux those rows read "failed".
#
# Last at each size, the label screen's keystroke row (issue 14: at 1M
# items, first item under 200 ms and key to next item drawn p99 under
# 16 ms, as at 200).  The store's items have no files, so SCALE_KEYS + 16
# or more small distinct JPEGs (240x180 like the demo's: tiles of
# ImageMagick plasma, made once per run and imported into a store of
# their own for their hashes and sizes) become the first items of this
# OS user's queue (tests/bench/key_store.py: the queue's order, leases
# cleared); then label_bench.sh's LABEL_BENCH_STORE run sends SCALE_KEYS
# class keys to `accord label` in tmux, each once the item before is
# drawn.  The row: the first item's time (from tmux's start to the item
# on the screen, the store's opening included) and p50 / p99 of key to
# next item drawn.  It counts only when the store then holds exactly
# those labels, this user's, on the first SCALE_KEYS items pointed at
# files, in queue order, and the trace the same labels (key_store.py
# check); else it reads "failed".  The user is the running one (the
# store's admin, from gen_store; an admin may label), not the take run's
# labeler.  There is no SQL equivalent.  It uses the size's store in
# place: nothing reads it after.
#
# Environment:
#   SCALE_SIZES="10000 100000 1000000"  the sizes (items)
#   SCALE_ACCORD=FILE     the binary measured (default ./accord)
#   SCALE_TAKES=N         labels of the take run (default 200)
#   SCALE_TAKE_SECONDS=S  the take run stops after S seconds even if short
#                         of SCALE_TAKES (default 60: at 1M items a take
#                         of the queue before issue 14 took 0.5 s quiet,
#                         6 s at load 10); the labels done are counted
#   SCALE_STRESS_LABELS=N labels per labeler in the 16-labeler run
#                         (default 100; 0 skips the run)
#   SCALE_KEYS=N          keys of the keystroke row (default 500; 0 skips
#                         the row)
#   SCALE_ONLY=keystroke  only the keystroke row at each size: no take
#                         run, other rows or 16 labelers
#   SCALE_ONLY=stats      only the stats row (first screen) at each size
#   SCALE_SEED=N          gen_store seed (default 1)
#   SCALE_PREMADE="N=FILE ..."  for size N, a copy of FILE (made by
#                         `gen_store FILE N 3 SEED` before) instead of a new
#                         store: saves gen_store's time (80 s at 1M)
#   TMPDIR                where the stores go (a mktemp directory, removed
#                         at the end; about 1.1 GB per 1M items, twice
#                         at the largest size during the 16-labeler run)
#
# Time, measured at load 6-10 on 2 shared cores (2026-12-02): 6 minutes
# for 10k and 100k (gen_store 75 s of it); 15.5 minutes at 1M from a
# copied store (the take run its 60 s; 16 labelers 5 minutes, mostly
# waiting on today's queue, then their checks of the store; check 64 s);
# gen_store adds 80 s at 1M quiet.  The keystroke row, at load 5-6: 25 s
# once for the files, then about 25 s a size (500 keys).  A quiet
# machine takes about half.  A report: exit 0 whatever the figures, 2
# when it cannot run at all.
set -u
cd "$(dirname "$0")/../.." || exit 2
ROOT=$(pwd)
ACCORD=${SCALE_ACCORD:-$ROOT/accord}
GEN=$ROOT/build/bench/gen_store
SIZES=${SCALE_SIZES:-10000 100000 1000000}
TAKES=${SCALE_TAKES:-200}
TAKE_SECONDS=${SCALE_TAKE_SECONDS:-60}
STRESS_LABELS=${SCALE_STRESS_LABELS:-100}
KEYS=${SCALE_KEYS:-500}
ONLY=${SCALE_ONLY:-}
SEED=${SCALE_SEED:-1}
TIME=/usr/bin/time

die() {
	echo "scale_bench: $*" >&2
	exit 2
}
for b in "$ACCORD" "$GEN"; do
	[ -x "$b" ] || die "$b is missing; run 'make bench'"
done
[ -x "$TIME" ] || die "$TIME (Debian package time) is missing"
command -v sqlite3 >/dev/null || die "sqlite3 (the CLI) is missing"
PY=/usr/bin/python3
[ -x "$PY" ] || die "$PY is missing"
case $ONLY in
'' | keystroke | stats) ;;
*) die "SCALE_ONLY=$ONLY: only 'keystroke' and 'stats' are known" ;;
esac
[ "$ONLY" != keystroke ] || [ "$KEYS" -gt 0 ] ||
    die "SCALE_ONLY=keystroke with SCALE_KEYS=0 runs nothing"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/accord-scale.XXXXXX") || die "no mktemp dir"
LABELER=
cleanup() {
	[ -z "$LABELER" ] || userdel "$LABELER" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 2' INT TERM HUP
# The labeler's processes must reach the store.
chmod 755 "$WORK"
LOG=$WORK/log
: >"$LOG"

# A labeler who is only a labeler: an OS user of this run's own.
if [ "$(id -u)" -eq 0 ]; then
	name=accscale-$$
	if ! getent passwd "$name" >/dev/null &&
	    useradd --no-create-home --shell /usr/sbin/nologin "$name" \
	    2>>"$LOG"; then
		LABELER=$name
	fi
fi

# measure OUT CMD...: runs CMD (stdout to /dev/null, stderr to OUT.err)
# and writes "WALL RSS_KB RC" to OUT; RC is "signal" for a crash.
measure() {
	_out=$1
	shift
	"$TIME" -o "$_out.t" -f '%e %M %x' "$@" >/dev/null 2>"$_out.err"
	# A killed command has no %x line: "Command terminated by signal".
	if tail -n 1 "$_out.t" | grep -q '^[0-9.]* [0-9]* [0-9]*$'; then
		tail -n 1 "$_out.t" >"$_out"
	else
		echo "0 0 signal" >"$_out"
	fi
}

# accord_args WORD... -- ...: the words before "--" in $_a, and in $_k
# how many arguments they and the "--" are.
accord_args() {
	_a= _k=1
	while [ "$1" != -- ]; do
		_a="$_a $1"
		_k=$((_k + 1))
		shift
	done
}

# row SIZE NAME OK_RCS ACCORD_ARGS -- SQL_CMD...: one table row.  The
# accord run counts when its exit status is in OK_RCS ("0" or "0 1").
# ACCORD_ARGS are split at spaces (no space in TMPDIR, then).
row() {
	_size=$1 _name=$2 _ok=$3
	shift 3
	accord_args "$@"
	shift "$_k"
	# shellcheck disable=SC2086
	measure "$WORK/a" "$ACCORD" $_a
	measure "$WORK/s" "$@"
	row_result "$_size" "$_name" "$_ok" "$_a"
}

# row_result SIZE NAME OK_RCS ACCORD_ARGS: the row from $WORK/a and
# $WORK/s, and the error lines of a side that failed.
row_result() {
	read -r aw am arc <"$WORK/a"
	read -r sw sm src <"$WORK/s"
	astate=ok sstate=ok
	case " $3 " in *" $arc "*) ;; *) astate=failed ;; esac
	[ "$src" = 0 ] || sstate=failed
	[ "$astate" = ok ] || echo "$1 $2: accord$4: exit $arc:" \
	    "$(head -c 300 "$WORK/a.err" | tr '\n' ' ')" >>"$FAILURES"
	[ "$sstate" = ok ] || echo "$1 $2: equivalent: exit $src:" \
	    "$(head -c 300 "$WORK/s.err" | tr '\n' ' ')" >>"$FAILURES"
	echo "$1|$2|$aw|$am|$astate|$sw|$sm|$sstate" >>"$RESULTS"
}

# screen OUT MARKER CMD...: runs the full-screen CMD in a private tmux
# server until MARKER shows on the screen, then sends q; writes
# "SECONDS_TO_MARKER RSS_KB RC" to OUT (RC "failed": no marker in 300 s).
screen() {
	_out=$1 _marker=$2
	shift 2
	"$PY" - "$_out" "$_marker" "$TIME" "$@" 2>"$_out.err" <<'EOF'
import os, shlex, subprocess, sys, time
out, marker, timebin, cmd = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
tmux = ["tmux", "-u", "-L", "accord-scale-%d" % os.getpid(), "-f", "/dev/null"]
inner = "env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=tmux-256color " + " ".join(
    shlex.quote(c) for c in [timebin, "-o", out + ".t", "-f", "%M %x"] + cmd)
def alive():
    return subprocess.run(tmux + ["has-session"],
        stderr=subprocess.DEVNULL).returncode == 0
t = time.monotonic()
subprocess.run(tmux + ["new-session", "-d", "-x", "120", "-y", "40", inner],
    check=True)
wall = None
while time.monotonic() - t < 300 and alive():
    s = subprocess.run(tmux + ["capture-pane", "-p"], capture_output=True,
        text=True).stdout
    if marker in s:
        wall = time.monotonic() - t
        break
    time.sleep(0.02)
subprocess.run(tmux + ["send-keys", "q"], stderr=subprocess.DEVNULL)
t = time.monotonic()
while alive() and time.monotonic() - t < 30:
    time.sleep(0.05)
subprocess.run(tmux + ["kill-server"], stderr=subprocess.DEVNULL)
try:
    rss, rc = open(out + ".t").read().split()[-2:]
except (OSError, ValueError):
    rss, rc = "0", "signal"
with open(out, "w") as f:
    f.write("%s %s %s\n" % ("%.3f" % wall if wall else "0", rss,
        rc if wall else "failed"))
EOF
	[ -s "$_out" ] || echo "0 0 failed" >"$_out"
}

# screen_row SIZE NAME MARKER ACCORD_ARGS -- SQL_CMD...: a row for a
# full-screen command (as row, the accord side through screen).
screen_row() {
	_size=$1 _name=$2 _marker=$3
	shift 3
	accord_args "$@"
	shift "$_k"
	if command -v tmux >/dev/null; then
		# shellcheck disable=SC2086
		screen "$WORK/a" "$_marker" "$ACCORD" $_a
	else
		echo "0 0 no-tmux" >"$WORK/a"
	fi
	measure "$WORK/s" "$@"
	row_result "$_size" "$_name" 0 "$_a"
}

RESULTS=$WORK/results
FAILURES=$WORK/failures
: >"$RESULTS"
: >"$FAILURES"
TAKEFIG=$WORK/takes
: >"$TAKEFIG"
KEYFIG=$WORK/keyfig
: >"$KEYFIG"

# The SQL equivalents, one per command: the same rows or figures from the
# tables, through the sqlite3 shell.
Q_STATUS="SELECT kind, count(*) FROM items GROUP BY kind;
SELECT b.name, count(*) FROM items i JOIN batches b ON b.id = i.batch GROUP BY i.batch;
SELECT count(*) FROM labels;
SELECT sum(n) FROM item_labelers;
SELECT n >= (SELECT value FROM settings WHERE key = 'overlap' ORDER BY id DESC LIMIT 1), n > 0, count(*) FROM item_labelers GROUP BY 1, 2;
SELECT labeler, count(*) FROM labels GROUP BY labeler;
SELECT user, role FROM current_members;"
Q_ITEMS="SELECT i.id, i.kind, i.format, i.bytes, i.path,
 (SELECT json_group_object(m.key, m.value) FROM current_meta m WHERE m.item = i.id) AS meta
 FROM items i ORDER BY i.id"
Q_DUMP="SELECT l.id, l.item, i.path, i.sha256, l.labeler, c.name, l.note, l.guideline,
 l.seconds_spent, l.created_at, l.supersedes,
 l.id = (SELECT max(id) FROM labels m WHERE m.item = l.item AND m.labeler = l.labeler),
 l.origin, li.file, l.recorded_by
 FROM labels l JOIN items i ON i.id = l.item LEFT JOIN classes c ON c.id = l.class
 LEFT JOIN label_imports li ON li.id = l.label_import ORDER BY l.id"
# agree_bench.sh's floor: a scan of the label rows.
Q_AGREE="SELECT item, labeler, class, guideline FROM labels ORDER BY id"
# The majority class of each item's labels in force, with its path.
Q_MAJORITY="SELECT i.path, c.name, v.n FROM (SELECT item, class, count(*) AS n,
 row_number() OVER (PARTITION BY item ORDER BY count(*) DESC, class) AS r
 FROM current_labels GROUP BY item, class) v
 JOIN items i ON i.id = v.item JOIN classes c ON c.id = v.class WHERE v.r = 1"
# The model (run m1) against that majority, per predicted and true class.
Q_ERRORS="WITH v AS MATERIALIZED (SELECT item, class FROM (SELECT item, class,
  row_number() OVER (PARTITION BY item ORDER BY count(*) DESC, class) AS r
  FROM current_labels GROUP BY item, class) WHERE r = 1)
 SELECT p.class, v.class, count(*) FROM v JOIN predictions p
 ON p.run = (SELECT id FROM prediction_runs WHERE name = 'm1') AND p.item = v.item
 GROUP BY 1, 2"
# review: the labels in force, item by item.
Q_REVIEW="SELECT item, labeler, class FROM current_labels ORDER BY item"
# Every numeric metadata value of the two batches, sorted per key and batch.
Q_DRIFT="SELECT m.key, i.batch, m.value FROM current_meta m JOIN items i ON i.id = m.item
 WHERE typeof(m.value) IN ('integer', 'real') ORDER BY m.key, i.batch, m.value"

# pct FILE FIELD: "p50 p99" (nearest rank) of FIELD=ms in a trace.
pct() {
	"$PY" - "$1" "$2" <<'EOF'
import sys
v = []
for line in open(sys.argv[1]):
    try:  # the last line may be cut short by the time limit
        f = dict(w.split("=") for w in line.split())
        v.append(float(f[sys.argv[2]]))
    except (ValueError, KeyError):
        pass
v.sort()
def q(p):
    return v[min(len(v) - 1, max(0, -(-len(v) * p // 100) - 1))] if v else float("nan")
print("%.2f %.2f %d" % (q(50), q(99), len(v)))
EOF
}

# takes SIZE DB: the take run.
takes() {
	awk -v n="$TAKES" 'BEGIN { for (j = 0; j < n; j++)
	    print (j % 3 == 0 ? "defect" : "ok") }' >"$WORK/script"
	trace=$WORK/trace.$1
	: >"$trace"
	chmod 666 "$trace" "$WORK/script"
	if [ -n "$LABELER" ]; then
		"$ACCORD" member "$2" add "$LABELER" >>"$LOG" 2>&1
		who=$LABELER
		timeout "$TAKE_SECONDS" runuser -u "$LABELER" -- \
		    env ACCORD_TRACE="$trace" "$ACCORD" label "$2" \
		    --script "$WORK/script" >"$WORK/take.out" 2>"$WORK/take.err"
	else
		who="$(id -un) (admin: no labeler account without root)"
		timeout "$TAKE_SECONDS" env ACCORD_TRACE="$trace" \
		    "$ACCORD" label "$2" --script "$WORK/script" \
		    >"$WORK/take.out" 2>"$WORK/take.err"
	fi
	rc=$?
	# 124: stopped by the time limit, with the labels done so far.
	if { [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ]; } || [ ! -s "$trace" ]; then
		echo "$1|failed (exit $rc: $(head -c 200 "$WORK/take.err" |
		    tr '\n' ' '))|$who" >>"$TAKEFIG"
		return
	fi
	echo "$1|$(pct "$trace" take)|$(pct "$trace" commit)|$who" >>"$TAKEFIG"
}

# key_media: the keystroke row's files, made once a run: KEYS + 16 or
# more (whole hundreds) 240x180 JPEGs in $WORK/media, imported into
# $WORK/media.accord, whose rows key_store.py copies.  Each convert cuts
# one plasma of its own seed into 100 tiles: their contents differ
# (items.sha256 is unique).  0, or 1 with the reason in $WORK/media.why.
KEYMEDIA=
key_media() {
	[ -z "$KEYMEDIA" ] || return "$KEYMEDIA"
	KEYMEDIA=1
	# ImageMagick's own convert, as label_bench.sh.
	if [ -x /usr/bin/convert ]; then
		conv=/usr/bin/convert
	elif ! conv=$(command -v convert); then
		echo "no ImageMagick convert" >"$WORK/media.why"
		return 1
	fi
	mkdir -p "$WORK/media"
	s=0
	while [ $((s * 100)) -lt $((KEYS + 16)) ]; do
		if ! "$conv" -seed $((s + 1)) -size 2400x1800 plasma:fractal \
		    -crop 240x180 +repage -strip -quality 90 \
		    -scene $((s * 100)) "$WORK/media/key-%05d.jpg" 2>>"$LOG"; then
			echo "convert failed (see the log)" >"$WORK/media.why"
			return 1
		fi
		s=$((s + 1))
	done
	if ! "$ACCORD" init "$WORK/media.accord" --task keys --media image \
	    --classes ok,defect >/dev/null 2>>"$LOG" ||
	    ! "$ACCORD" import "$WORK/media.accord" "$WORK/media" \
	    >/dev/null 2>>"$LOG"; then
		echo "accord could not import the files (see the log)" \
		    >"$WORK/media.why"
		return 1
	fi
	got=$(sqlite3 "$WORK/media.accord" "SELECT count(*) FROM items")
	if [ "${got:-0}" -lt $((KEYS + 16)) ]; then
		echo "$got distinct files imported, not $((KEYS + 16))" \
		    >"$WORK/media.why"
		return 1
	fi
	KEYMEDIA=0
}

# key_fail SIZE WHY: the keystroke row that did not run or did not hold.
key_fail() {
	echo "$1|keystroke (label screen)|keyfail|$(echo "$2" | tr '|\n' '/ ' |
	    head -c 200)" >>"$RESULTS"
	echo "$1 keystroke: $2" >>"$FAILURES"
}

# keystroke SIZE DB: the keystroke row (see the top), the store's last use.
keystroke() {
	if ! key_media; then
		key_fail "$1" "$(cat "$WORK/media.why")"
		return
	fi
	me=$(id -un)
	after=$(sqlite3 "$2" "SELECT coalesce(max(id), 0) FROM labels" \
	    2>>"$LOG")
	if [ -z "$after" ] || ! "$PY" tests/bench/key_store.py point "$2" \
	    "$WORK/media.accord" "$me" "$WORK/key.ids" >"$WORK/key.point" \
	    2>&1; then
		key_fail "$1" "$(cat "$WORK/key.point")"
		return
	fi
	load=$(cut -d' ' -f1 /proc/loadavg)
	LABEL_BENCH_STORE=$2 LABEL_BENCH_N=$KEYS LABEL_BENCH_ACCORD=$ACCORD \
	    LABEL_BENCH_WORK=$WORK/keys sh tests/bench/label_bench.sh \
	    >"$WORK/keys.out" 2>&1
	# label_bench.sh's figures: "store  n=N  p50 A ms  p99 B ms  max C ms"
	# and the first item's ms.
	figs=$(awk '$1 == "store" && $2 ~ /^n=/ {
	    sub(/^n=/, "", $2); print $2, $4, $7, $10 }' "$WORK/keys.out")
	first=$(head -n 1 "$WORK/keys/store.trace.first" 2>/dev/null)
	if grep -q 'the driver failed' "$WORK/keys.out"; then
		key_fail "$1" "label_bench.sh: $(grep -h -A 2 '^drive:' \
		    "$WORK/keys/log" | head -n 3)"
		return
	fi
	if [ -z "$figs" ] || [ -z "$first" ]; then
		key_fail "$1" "no figures from label_bench.sh: $(grep -h \
		    'verdict\|driver\|drive:' "$WORK/keys.out" \
		    "$WORK/keys/log" 2>/dev/null | head -n 3)"
		return
	fi
	if ! checked=$("$PY" tests/bench/key_store.py check "$2" "$me" \
	    "$WORK/key.ids" "$after" "$KEYS" "$WORK/keys/store.trace" 2>&1)
	then
		key_fail "$1" "$checked"
		return
	fi
	echo "$1|keystroke (label screen)|keys|$first $figs|$load" >>"$RESULTS"
	echo "$1|$figs|$me|$(cat "$WORK/key.point")|$checked" >>"$KEYFIG"
}

# size_rows: at size $n, on $db in $dir, the take run and the rows of
# the commands (the store gets its second batch and predictions first),
# then at the largest size the 16 labelers.
# stats shows the figures of agree.
stats_row() {
	screen_row "$n" "stats (first screen)" "computed " stats "$db" -- \
	    sqlite3 "$db" "$Q_AGREE"
}

size_rows() {
	sqlite3 "$db" "INSERT INTO batches (name, created_by, created_at)
	    VALUES ('bench2', 'scale_bench', '2026-12-02T00:00:00Z');
	    UPDATE items SET batch = (SELECT id FROM batches WHERE name = 'bench2')
	    WHERE id > (SELECT max(id) / 2 FROM items)" 2>>"$LOG"
	{ echo "sha256,class"
	  sqlite3 -csv "$db" "SELECT sha256, CASE id % 10 WHEN 0 THEN 'defect'
	      WHEN 1 THEN 'unsure' ELSE 'ok' END FROM items"; } >"$dir/pred.csv"
	sync

	takes "$n" "$db"

	row "$n" "status" 0 status "$db" -- sqlite3 "$db" "$Q_STATUS"
	row "$n" "status --json" 0 status "$db" --json -- \
	    sqlite3 -json "$db" "$Q_STATUS"
	row "$n" "backup" 0 backup "$db" "$dir/b1.accord" -- \
	    sqlite3 "$db" ".backup $dir/b2.accord"
	rm -f "$dir"/b1.accord* "$dir"/b2.accord*
	row "$n" "copy" 0 copy "$db" "$dir/c1.accord" -- \
	    sqlite3 "$db" "VACUUM INTO '$dir/c2.accord'"
	rm -f "$dir"/c1.accord* "$dir"/c2.accord*
	row "$n" "check" "0 1" check "$db" -- \
	    sqlite3 "$db" "PRAGMA integrity_check"
	row "$n" "items --json" 0 items "$db" --json -- \
	    sqlite3 -json "$db" "$Q_ITEMS"
	row "$n" "labels dump" 0 labels dump "$db" -- \
	    sqlite3 -csv "$db" "$Q_DUMP"
	row "$n" "agree" 0 agree "$db" -- sqlite3 "$db" "$Q_AGREE"
	row "$n" "agree --bootstrap 1000" 0 agree "$db" --bootstrap 1000 -- \
	    sqlite3 "$db" "$Q_AGREE"
	row "$n" "export majority" 0 export "$db" --out "$dir/e1" \
	    --method majority -- sqlite3 -csv "$db" "$Q_MAJORITY"
	row "$n" "export dawid-skene" 0 export "$db" --out "$dir/e2" \
	    --method dawid-skene -- sqlite3 -csv "$db" "$Q_MAJORITY"
	rm -rf "$dir/e1" "$dir/e2"
	# The first run imports the predictions (a write), the row the
	# analysis of the stored run.
	"$ACCORD" errors "$db" --predictions "$dir/pred.csv" --run m1 \
	    >/dev/null 2>>"$LOG"
	row "$n" "errors" 0 errors "$db" --run m1 -- \
	    sqlite3 "$db" "$Q_ERRORS"
	row "$n" "drift" 0 drift "$db" --from bench --to bench2 -- \
	    sqlite3 "$db" "$Q_DRIFT"

	stats_row
	screen_row "$n" "review (first screen)" "accord | review |" \
	    review "$db" -- sqlite3 "$db" "$Q_REVIEW"

	if [ "$n" = "$largest" ] && [ "$STRESS_LABELS" -gt 0 ]; then
		if [ "$(id -u)" -ne 0 ]; then
			STRESSFIG="16 labelers: skipped (needs root: real OS users)"
		else
			ROOT=$ROOT ACCORD=$ACCORD STRESS_STORE=$db \
			    STRESS_LABELERS=16 STRESS_LABELS=$STRESS_LABELS \
			    sh tests/stress/labelers.sh >"$WORK/stress" 2>&1
			STRESSFIG=$(grep '^# \|^not ok' "$WORK/stress")
			bad=$(grep -c '^not ok' "$WORK/stress")
			STRESSFIG="16 labelers x $STRESS_LABELS at $n items (a copy of the store): $bad failed checks
$STRESSFIG"
		fi
	fi
}

echo
echo "== accord scale benchmark: sizes $SIZES (items x 3 labelers)"
echo "   $(nproc) CPUs, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "   binary: $ACCORD"
largest=$(echo "$SIZES" | tr ' ' '\n' | sort -n | tail -n 1)
STRESSFIG=

for n in $SIZES; do
	dir=$WORK/s$n
	mkdir -m 777 "$dir"
	db=$dir/store.accord
	premade=$(echo "${SCALE_PREMADE:-}" | tr ' ' '\n' | sed -n "s/^$n=//p")
	t0=$(date +%s.%N)
	if [ -n "$premade" ]; then
		how="copied from $premade"
		# Pages still in its -wal (a generator still writing) would
		# not come with the copy.
		if [ -s "$premade-wal" ]; then
			echo "$premade has a -wal: still being written?" >>"$LOG"
			false
		else
			cp --reflink=auto "$premade" "$db" 2>>"$LOG"
		fi
	else
		how="made by gen_store"
		"$GEN" "$db" "$n" 3 "$SEED" >>"$LOG" 2>&1
	fi || {
		echo "   $n: no store ($how failed):"
		tail -n 3 "$LOG" | sed 's/^/   /'
		continue
	}
	chmod 666 "$db"*
	t1=$(date +%s.%N)
	echo "   $n items: store $(($(stat -c %s "$db") / 1048576)) MB, $how in $(echo "$t0 $t1" | awk '{ printf "%.1f", $2 - $1 }') s"
	case $ONLY in
	stats) stats_row ;;
	keystroke) keystroke "$n" "$db" ;;
	*)	size_rows
		[ "$KEYS" -le 0 ] || keystroke "$n" "$db" ;;
	esac
	rm -rf "$dir"
done

echo
awk -F'|' '
BEGIN {
	printf "%-9s %-24s %9s %8s %9s %8s %7s\n", "items", "command", "accord s",
	    "MB", "equiv s", "MB", "ratio"
}
$3 == "keys" {
	# first ms, keys, p50, p99, max
	split($4, k, " ")
	printf "%-9s %-24s first %.0f ms, key to next item p50 %.2f / p99 %.2f ms (load %s)\n",
	    $1, $2, k[1], k[3], k[4], $5
	next
}
$3 == "keyfail" { printf "%-9s %-24s failed: %s\n", $1, $2, $4; next }
{
	a = $5 == "ok" ? sprintf("%9.2f %8.1f", $3, $4 / 1024) : sprintf("%9s %8s", "failed", "-")
	s = $8 == "ok" ? sprintf("%9.2f %8.1f", $6, $7 / 1024) : sprintf("%9s %8s", "failed", "-")
	if ($5 == "ok" && $8 == "ok")
		r = $6 > 0 ? sprintf("%6.2fx", $3 / $6) : "-"
	else
		r = "-"
	printf "%-9s %-24s %s %s %7s\n", $1, $2, a, s, r
}' "$RESULTS"
if [ -s "$TAKEFIG" ]; then
	echo
	echo "take and commit of \`label --script\`, ms (p50 / p99, nearest rank):"
	awk -F'|' -v takes="$TAKES" -v secs="$TAKE_SECONDS" '{
		if ($2 ~ /^failed/) { printf "  %-9s %s\n", $1, $2; next }
		split($2, t, " "); split($3, c, " ")
		printf "  %-9s take %8.2f / %8.2f   commit %7.2f / %7.2f   (%d labels%s, as %s)\n",
		    $1, t[1], t[2], c[1], c[2], t[3], t[3] < takes ? " in the " secs " s limit" : "", $4
	}' "$TAKEFIG"
fi
if [ -s "$KEYFIG" ]; then
	echo
	echo "keystroke: \`accord label\` in tmux, label_bench.sh's LABEL_BENCH_STORE run;"
	echo "  targets first item < 200 ms, p99 < 16 ms (nearest rank):"
	awk -F'|' '{
		split($2, k, " ")
		printf "  %-9s %d keys as %s, max %.2f ms; %s; %s\n", $1, k[1],
		    $3, k[4], $4, $5
	}' "$KEYFIG"
fi
if [ -n "$STRESSFIG" ]; then
	echo
	echo "$STRESSFIG" | sed 's/^/  /'
fi
if [ "$ONLY" != keystroke ]; then
	echo
	echo "equivalents: status: counts from items, item_labelers, labels and members;"
	echo "  backup: sqlite3 .backup; copy (SQLite to SQLite): VACUUM INTO, SQLite's own"
	echo "  rebuild of every table in a new file; check: PRAGMA integrity_check (no files to hash);"
	echo "  items --json: sqlite3 -json of items with current_meta as an object;"
	echo "  labels dump: sqlite3 -csv of the same join; agree: a scan of the label rows;"
	echo "  export (both methods): the majority class per item from current_labels;"
	echo "  errors: predictions against that majority (the benchmark's own check; accord errors scores the model as a person, docs/statistics.md); drift: the numeric metadata sorted"
	echo "  by key and batch; stats: as agree; review: the labels in force by item;"
	echo "  keystroke: none."
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -s "$FAILURES" ]; then
	echo "failed:"
	sed 's/^/  /' "$FAILURES"
fi
exit 0
