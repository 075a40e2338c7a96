#!/bin/sh
# tests/bench/agree_bench.sh: the `accord agree` benchmark (issue 5).
#
# build/bench/gen_store makes a store of 225,000 items x 5 labelers (3
# ordinal classes, 10% of the cells empty, about 1,010,000 label rows in the
# order they were made, metadata `site` and `brightness`; see the top of
# tests/bench/gen_store.c for the model).  Then, from this one run:
#
#  (a) `accord agree DB --json --bootstrap 0`: wall time and peak RSS;
#  (b) the same with `--bootstrap 1000`: every interval (HLP, each
#      labeler's, percent, Fleiss, AC1, the three alphas), 1M labels;
#  (c) the floor: the sqlite3 shell scanning the label rows (the scan
#      accord made before schema 4 packed them per item: item_labels),
#      output to /dev/null;
#  (d) Debian's Python: NLTK 3.8 `AnnotationTask(data=triples).alpha()`
#      on the (labeler, item, class) triples in force, already in memory
#      (reading them with the sqlite3 module is timed apart and not
#      counted; the expression's two steps, building the task and alpha(),
#      are printed apart and counted together), and statsmodels'
#      fleiss_kappa including building its count table from the triples.
#
# (a), (b) and (c) are each run BENCH_RUNS times (default 5) alternately
# and the fastest run of each is kept: on a shared machine other work only
# ever slows a run down.  NLTK's expression in (d) is run BENCH_NLTK_RUNS
# times (default 3) and its fastest kept too, so both sides of the ratio
# are measured alike (on this virtual machine either can vary by a third
# from one minute to the next); statsmodels runs once.  Everything reads the store from
# the page cache (it is read once beforehand).
#
# Values are checked, not only times: NLTK's alpha (binary distance) must
# equal accord's alpha_nominal to 1e-9.  statsmodels' fleiss_kappa
# refuses a table with missing cells (it asserts every item has the same
# number of labels), so it is computed on the items all 5 labelers
# labeled, and checked to 1e-9 against Fleiss' kappa written from Gwet
# (2014)'s missing-data form (docs/statistics.md) on the same items (on
# complete data the two are the same formula); that transcription on
# every item must then equal accord's `fleiss` to 1e-9.
#
# NLTK is run on the whole data unless a first run on 10% of the items (a
# prefix of item ids), extrapolated linearly, says it would take longer
# than BENCH_NLTK_CAP seconds (default 600); then the 10% figure and the
# extrapolation are reported, clearly marked, and its value is not
# compared.
#
# Targets (issue 5): (a) at least 10x faster than NLTK's alpha alone (the
# expression above: one statistic, where accord computes all of them) and
# within 3x of the floor (c); (b) under 2 s; peak RSS of (a) and (b) under
# 200 MB.  A report: the exit status is 0 whether or not a target is met
# (2 if it could not run); the verdict is the last line.
#
#   BENCH_SMALL=1       20,000 items, for a quick try
#   BENCH_ITEMS=N       items (default 225000: about 1M labels)
#   BENCH_SEED=N        generator seed (default 1)
#   BENCH_RUNS=N        runs of (a), (b), (c) (default 5)
#   BENCH_NLTK_RUNS=N   runs of NLTK's expression (default 3)
#   BENCH_NLTK_CAP=S    see above (default 600)
#
# Needs build/bench/gen_store and ./accord (`make bench`), sqlite3, and
# Debian's /usr/bin/python3 with python3-nltk and python3-statsmodels.
set -u
cd "$(dirname "$0")/../.." || exit 2
ROOT=$(pwd)
BIN=$ROOT/build/bench
ACCORD=$ROOT/accord
WORK=$BIN/agree
PY=/usr/bin/python3
if [ "${BENCH_SMALL:-0}" != 0 ]; then
	NITEMS=${BENCH_ITEMS:-20000}
else
	NITEMS=${BENCH_ITEMS:-225000}
fi
NLAB=5
SEED=${BENCH_SEED:-1}
RUNS=${BENCH_RUNS:-5}
NLTK_RUNS=${BENCH_NLTK_RUNS:-3}
CAP=${BENCH_NLTK_CAP:-600}
# A bare scan of the label rows, as the issue defines the floor.
FLOOR_SQL="SELECT item, labeler, class, guideline FROM labels ORDER BY id"

die() {
	echo "agree_bench: $*" >&2
	exit 2
}

for b in "$BIN/gen_store" "$ACCORD"; do
	[ -x "$b" ] || die "$b is missing; run 'make bench'"
done
command -v sqlite3 >/dev/null || die "sqlite3 (the CLI) is missing"
"$PY" -c 'import nltk.metrics.agreement, statsmodels.stats.inter_rater, numpy' \
    2>/dev/null || die "$PY with python3-nltk and python3-statsmodels is needed"

rm -rf "$WORK"
mkdir -p "$WORK" || die "cannot create $WORK"
LOG=$WORK/log
: >"$LOG"
DB=$WORK/agree.accord

. "$(dirname "$0")/measure.sh"

echo "== accord agree benchmark: $NITEMS items x $NLAB labelers, 3 classes, 10% missing"
bench_header

gen=$("$BIN/gen_store" "$DB" "$NITEMS" "$NLAB" "$SEED" 2>>"$LOG") ||
    die "gen_store failed (see $LOG)"
echo "   generated (not compared): $gen"
# The store was just written: let its 250 MB reach the disk now, not while
# (a)-(d) are timed (the kernel's writeback took CPU from them), then read
# it into the page cache.
sync
cat "$DB" >/dev/null

# (a), (b), (c) in turns, so a burst of other work hits all three alike.
for r in $(seq 1 "$RUNS"); do
	measure "$WORK/a.$r" "$WORK/a.json" "$ACCORD" agree "$DB" --json \
	    --bootstrap 0
	measure "$WORK/b.$r" "$WORK/b.json" "$ACCORD" agree "$DB" --json \
	    --bootstrap 1000
	measure "$WORK/c.$r" /dev/null sqlite3 "$DB" "$FLOOR_SQL"
	echo "   round $r: (a) $(field wall "$WORK/a.$r") s, (b)" \
	    "$(field wall "$WORK/b.$r") s, (c) $(field wall "$WORK/c.$r") s"
done
# best X: the file of the fastest run of X that exited 0.
best() {
	for f in "$WORK/$1".[0-9]*; do
		[ "$(field rc "$f")" -eq 0 ] && echo "$(field wall "$f") $f"
	done | sort -n | head -n 1 | cut -d' ' -f2
}
A=$(best a) B=$(best b) C=$(best c)
[ -n "$A" ] && [ -n "$B" ] && [ -n "$C" ] ||
    die "accord agree or sqlite3 failed (see $LOG and $WORK)"
rows=$(sqlite3 "$DB" "SELECT count(*) FROM labels")
echo "   floor query (c): sqlite3 DB \"$FLOOR_SQL\" >/dev/null ($rows rows)"

# (d): NLTK and statsmodels, and every value checked against (a).
"$PY" - "$DB" "$WORK/a.json" "$CAP" "$NLTK_RUNS" >"$WORK/py" 2>>"$LOG" <<'EOF' ||
import math, sqlite3, sys, time
import numpy as np
from nltk.metrics.agreement import AnnotationTask
from statsmodels.stats.inter_rater import fleiss_kappa
import json

db, ajson, cap = sys.argv[1], sys.argv[2], float(sys.argv[3])
nltk_runs = max(1, int(sys.argv[4]))
out = {}

# The labels in force, as the current_labels view defines them: the newest
# row per (item, labeler) unless it withdrew the label.  Reading the rows
# in id order and keeping the last is that view without its per-row
# subquery.
t = time.monotonic()
con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
last = {}
for item, labeler, cls in con.execute(
        "SELECT item, labeler, class FROM labels ORDER BY id"):
    last[(item, labeler)] = cls
triples = [(lab, item, cls) for (item, lab), cls in last.items()
           if cls is not None]
classes = [c for (c,) in con.execute("SELECT id FROM classes ORDER BY position")]
out["load_s"] = time.monotonic() - t
out["triples"] = len(triples)


def nltk_alpha(data):
    """AnnotationTask(data=data).alpha(), its two steps timed apart."""
    t0 = time.monotonic()
    task = AnnotationTask(data=data)
    t1 = time.monotonic()
    a = task.alpha()
    return t1 - t0, time.monotonic() - t1, a


# First on 10% of the items, to know whether the whole fits under the cap.
ids = sorted({i for _, i, _ in triples})
cut = ids[len(ids) // 10] if len(ids) >= 10 else ids[-1] + 1
part = [x for x in triples if x[1] < cut]
b10, s10, _ = nltk_alpha(part)
scale = len(triples) / max(len(part), 1)
out["nltk_part_rows"] = len(part)
out["nltk_part_s"] = b10 + s10
if (b10 + s10) * scale <= cap:
    best = None
    for _ in range(nltk_runs):  # the fastest run, as for (a)-(c)
        c0 = time.process_time()
        b, s, a = nltk_alpha(triples)
        c = time.process_time() - c0
        if best is None or b + s < best[0] + best[1]:
            best = (b, s, a, c)
    out["nltk_build_s"], out["nltk_alpha_s"], out["nltk_alpha"], \
        out["nltk_cpu_s"] = best
    out["nltk_runs"] = nltk_runs
    out["nltk_full"] = 1
else:
    out["nltk_build_s"], out["nltk_alpha_s"] = b10 * scale, s10 * scale
    out["nltk_cpu_s"] = 0
    out["nltk_full"] = 0

# statsmodels: the items x classes count table from the triples, then
# fleiss_kappa on the items with all labelers (it refuses missing cells).
t0 = time.monotonic()
item = np.fromiter((i for _, i, _ in triples), dtype=np.int64,
                   count=len(triples))
cls = np.fromiter((classes.index(c) for _, _, c in triples), dtype=np.int64,
                  count=len(triples))
uniq, row = np.unique(item, return_inverse=True)
k = len(classes)
table = np.bincount(row * k + cls, minlength=len(uniq) * k).reshape(-1, k)
n = table.sum(1)
full = table[n == n.max()]
t1 = time.monotonic()
sm = fleiss_kappa(full)
t2 = time.monotonic()
out["sm_table_s"], out["sm_kappa_s"] = t1 - t0, t2 - t1
out["sm_items"] = len(full)
out["sm_fleiss"] = sm


def gwet_fleiss(tab):
    """Fleiss' kappa with missing labels as Gwet (2014) generalises it
    (docs/statistics.md): p_a over the items with 2+ labels, each class's
    share averaged over the items with a label."""
    tab = tab.astype(float)
    m = tab.sum(1)
    two = m >= 2
    pa = ((tab[two] * (tab[two] - 1)).sum(1) / (m[two] * (m[two] - 1))).mean()
    one = m >= 1
    pi = (tab[one] / m[one][:, None]).mean(0)
    pe = (pi * pi).sum()
    return (pa - pe) / (1 - pe)


out["gwet_full_items"] = gwet_fleiss(full)
out["gwet_all"] = gwet_fleiss(table)

o = json.load(open(ajson))["results"][0]["overall"]
out["accord_alpha"] = o["alpha_nominal"]["value"]
out["accord_fleiss"] = o["fleiss"]["value"]
out["accord_labels"] = o["labels"]
for key, v in out.items():
    print("%s=%r" % (key, v))
EOF
    die "the Python comparison failed (see $LOG)"

# The table, the checks and the verdicts.
{
	echo "a $(cat "$A")"
	echo "b $(cat "$B")"
	echo "c $(cat "$C")"
	sed 's/^/py /' "$WORK/py"
} | awk -v runs="$RUNS" -v cap="$CAP" '
function num(s) { return s + 0 }
$1 == "py" { split($2, kv, "="); py[kv[1]] = kv[2]; next }
{
	for (i = 2; i <= NF; i++) {
		split($i, kv, "=")
		m[$1, kv[1]] = kv[2]
	}
}
function verdict(ok) { if (!ok) bad++; return ok ? "PASS" : "FAIL" }
function close9(a, b) { d = a - b; if (d < 0) d = -d; return d <= 1e-9 }
END {
	a = num(m["a", "wall"]); b = num(m["b", "wall"]); c = num(m["c", "wall"])
	nl = num(py["nltk_build_s"]) + num(py["nltk_alpha_s"])
	printf "\n%-58s %9s %9s %9s\n", "measure", "seconds", "cpu s",
	    "peak MiB"
	printf "%-58s %9.3f %9.3f %9.1f\n", "(a) accord agree --json --bootstrap 0",
	    a, m["a", "cpu"], m["a", "rss_kb"] / 1024
	printf "%-58s %9.3f %9.3f %9.1f\n", "(b) accord agree --json --bootstrap 1000",
	    b, m["b", "cpu"], m["b", "rss_kb"] / 1024
	printf "%-58s %9.3f %9.3f %9.1f\n", "(c) floor: sqlite3 shell scan of the label rows",
	    c, m["c", "cpu"], m["c", "rss_kb"] / 1024
	printf "%-58s %9.3f\n", "    Python: read " py["triples"] " triples (not counted)",
	    py["load_s"]
	if (py["nltk_full"] != 1) {
		printf "%-58s %9.3f\n", "    NLTK on " py["nltk_part_rows"] \
		    " triples (10% of items)", py["nltk_part_s"]
		printf "    NLTK on all the triples: EXTRAPOLATED linearly from " \
		    "10%%, over the %d s cap:\n", cap
	}
	printf "%-58s %9.3f\n", "    NLTK: AnnotationTask(data=triples)",
	    py["nltk_build_s"]
	printf "%-58s %9.3f\n", "    NLTK: .alpha()", py["nltk_alpha_s"]
	printf "%-58s %9.3f %9s\n", "(d) NLTK: AnnotationTask(data=triples).alpha()", nl,
	    py["nltk_full"] == 1 ? sprintf("%.3f", py["nltk_cpu_s"]) : "-"
	printf "%-58s %9.3f\n", "(d) statsmodels: count table from the triples",
	    py["sm_table_s"]
	printf "%-58s %9.3f\n", "(d) statsmodels: fleiss_kappa, " \
	    py["sm_items"] " complete items", py["sm_kappa_s"]
	printf "(a), (b), (c): fastest of %d runs; (d) NLTK: fastest of %d, " \
	    "statsmodels: one run; cpu s: user + system, all threads\n\n",
	    runs, py["nltk_full"] == 1 ? py["nltk_runs"] : 1

	printf "check: accord labels = triples in force (%d)                    %s\n",
	    py["accord_labels"], verdict(num(py["accord_labels"]) == num(py["triples"]))
	if (py["nltk_full"] == 1)
		printf "check: NLTK alpha %.12f = accord alpha_nominal %.12f  %s\n",
		    py["nltk_alpha"], py["accord_alpha"],
		    verdict(close9(num(py["nltk_alpha"]), num(py["accord_alpha"])))
	else
		printf "check: NLTK alpha not compared (run on a subsample only)\n"
	printf "check: statsmodels fleiss %.12f = Gwet form %.12f (complete items)  %s\n",
	    py["sm_fleiss"], py["gwet_full_items"],
	    verdict(close9(num(py["sm_fleiss"]), num(py["gwet_full_items"])))
	printf "check: Gwet form %.12f = accord fleiss %.12f (all items)  %s\n",
	    py["gwet_all"], py["accord_fleiss"],
	    verdict(close9(num(py["gwet_all"]), num(py["accord_fleiss"])))
	checks = bad

	# (A bare ">" in printf arguments would be a redirection.)
	vs_nltk = a > 0 ? nl / a : 0
	vs_floor = c > 0 ? a / c : 0
	rss_a = m["a", "rss_kb"] * 1024 / 1e6
	rss_b = m["b", "rss_kb"] * 1024 / 1e6
	sm = py["sm_table_s"] + py["sm_kappa_s"]
	vs_sm = a > 0 ? sm / a : 0
	printf "\ntarget (a) >= 10x faster than NLTK alpha: %.3f s vs %.3f s = %.1fx  %s\n",
	    a, nl, vs_nltk, verdict(vs_nltk >= 10)
	printf "target (a) within 3x of the floor (c): %.3f s vs %.3f s = %.2fx  %s\n",
	    a, c, vs_floor, verdict(c > 0 && vs_floor <= 3)
	printf "target (b) under 2 s: %.3f s  %s\n", b, verdict(b < 2)
	printf "target peak RSS under 200 MB: (a) %.1f MB, (b) %.1f MB  %s\n",
	    rss_a, rss_b, verdict(rss_a < 200 && rss_b < 200)
	printf "    (statsmodels, table and kappa: %.3f s = %.1fx accord (a); no target)\n",
	    sm, vs_sm
	# Wall time is what the issue asks; CPU time says how much of a
	# result is the load of the machine.
	if (py["nltk_full"] == 1 && m["a", "cpu"] > 0)
		printf "    (CPU time: NLTK %.3f s = %.1fx accord (a) %.3f s; the floor %.3f s)\n",
		    py["nltk_cpu_s"], py["nltk_cpu_s"] / m["a", "cpu"], m["a", "cpu"],
		    m["c", "cpu"]
	if (bad)
		printf "verdict: FAIL: %d of 4 targets and %d checks missed\n",
		    bad - checks, checks
	else
		printf "verdict: PASS: every target met, every value checked\n"
}'
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit 0
