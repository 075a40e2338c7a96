#!/bin/sh
# tests/bench/pg_bench.sh: the labeling queue on PostgreSQL (issue 15;
# `make bench`, from tests/bench/run.sh).  tests/stress/labelers.sh with
# the optimised ./accord, each labeler a real OS user (root only):
#
#  1. PG_BENCH_L labelers (16) x PG_BENCH_N labels (200) at once on a
#     fresh project of tiny PNGs, on a SQLite file and on a PostgreSQL
#     database (STRESS_PG=1), one after the other: the same run on both
#     stores side by side;
#  2. PG_BENCH_BIG_L labelers (64) x PG_BENCH_BIG_N labels (100) at once
#     on a PostgreSQL project of PG_BENCH_ITEMS generated items (1,000,000;
#     3 labelers on 90% of the cells, overlap 5, as build/bench/gen_store
#     makes the SQLite scale stores; STRESS_PG_ITEMS);
#  3. the same 64 labelers on a fresh 1M-item project at a human pace:
#     each looks at each item for PG_BENCH_THINK seconds (0.5-1.5, a
#     random draw per item, STRESS_THINK) before labeling it, and opens
#     the screen at a random moment of the first such span, so 64
#     labelers offer about 64 labels/s.
#
# Runs 1 and 2 have no think time: every labeler takes the next item the
# moment its label is committed, which measures the store saturated, not
# what a labeler waits.  In such a closed loop the mean time round one
# label is labelers / throughput (Little's law): 64 labelers at the ~300
# labels/s two CPUs give are 210 ms a label, so a p99 of take or commit
# under 50 ms cannot be had there on this machine, however fast the
# queue; run 3 is what people labeling at once feel.
#
# The PostgreSQL cluster is tests/pglib.sh's throwaway one, run here with
# fsync on (PG_FSYNC=on), so that a commit costs what a team's costs; SQLite
# syncs its WAL before a label is reported, as always.  Each row: labels/s,
# take and commit p50/p99 from ACCORD_TRACE, and whether every check of
# labelers.sh held (no label lost or duplicated, no item past overlap k,
# no lease left, the derived counts right).  Target (issue 15): take and
# commit p99 < 50 ms, nothing lost, overlap never exceeded.  The p99 after
# each labeler's first label is shown too: a labeler's first take and
# label run in a new server session, which plans every statement of the
# queue's functions then (70-110 ms each with 16 at once).
#
# A report: exit 0 whatever the figures, 2 when it cannot run; a failed
# check shows as a "not ok" line and the verdict FAIL.  Time: about 8
# minutes quiet (each 1M-item project takes about a minute to generate).
set -u
cd "$(dirname "$0")/../.." || exit 2
ROOT=$(pwd)
[ -x "$ROOT/accord" ] || { echo "bench: ./accord is missing; run 'make bench'" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "bench: the PostgreSQL benchmark needs root (real OS users)" >&2; exit 2; }
L=${PG_BENCH_L:-16}
N=${PG_BENCH_N:-200}
BL=${PG_BENCH_BIG_L:-64}
BN=${PG_BENCH_BIG_N:-100}
ITEMS=${PG_BENCH_ITEMS:-1000000}
THINK=${PG_BENCH_THINK:-0.5-1.5}
out=$(mktemp -d "${TMPDIR:-/tmp}/accord-pgbench.XXXXXX") || exit 2
trap 'rm -rf "$out"' EXIT

echo
echo "== accord on PostgreSQL: the labeling queue under load (issue 15)"
echo "   $(nproc) CPUs; PostgreSQL $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | tail -n 1 | sed 's|.*/postgresql/||; s|/bin||') with fsync on"

# one NAME ENV...: labelers.sh with ENV, its output kept as NAME.
one() {
	_name=$1
	shift
	sync
	echo "   $_name: load average before $(cut -d' ' -f1-3 /proc/loadavg)" >"$out/$_name.load"
	env ROOT="$ROOT" ACCORD="$ROOT/accord" PG_FSYNC=on "$@" \
	    sh tests/stress/labelers.sh >"$out/$_name" 2>&1
}
one lite STRESS_LABELERS="$L" STRESS_LABELS="$N"
one pg STRESS_PG=1 STRESS_LABELERS="$L" STRESS_LABELS="$N"
one big STRESS_PG=1 STRESS_PG_ITEMS="$ITEMS" STRESS_LABELERS="$BL" STRESS_LABELS="$BN"
one paced STRESS_PG=1 STRESS_PG_ITEMS="$ITEMS" STRESS_LABELERS="$BL" STRESS_LABELS="$BN" STRESS_THINK="$THINK"

# row NAME LABEL: one line of the table from NAME's figures.
row() {
	awk -v label="$2" '
	/labels\/s$/ { for (i = 1; i <= NF; i++) if ($i == "labels/s") rate = $(i - 1) }
	/^# commit latency ms: / { cp50 = $6; cp99 = $8 }
	/^# take latency ms: / { tp50 = $6; tp99 = $8 }
	/^# take latency ms after/ { tl99 = $NF }
	/^# commit latency ms after/ { cl99 = $NF }
	/^not ok/ { bad++ }
	/^ok/ { good++ }
	END {
		checks = bad ? bad " FAILED" : (good ? "all " good " ok" : "did not run")
		printf "   %-34s %9s %9s / %-8s %9s / %-8s %8s / %-8s %s\n", label, \
		    rate, tp50, tp99, cp50, cp99, tl99, cl99, checks
	}' "$out/$1"
}
echo
printf "   %-34s %9s %20s %20s %19s %s\n" "run" "labels/s" "take p50 / p99 ms" \
    "commit p50 / p99 ms" "p99 after 1st t / c" "checks"
row lite "SQLite, $L x $N, tiny PNGs"
row pg "PostgreSQL, $L x $N, tiny PNGs"
row big "PostgreSQL, $BL x $BN, $ITEMS items"
row paced "the same, $THINK s a label"
echo
for f in lite pg big paced; do
	cat "$out/$f.load"
	grep '^not ok\|^skip\|load average after' "$out/$f" | sed 's/^/     /'
done
if grep -q '^not ok' "$out/lite" "$out/pg" "$out/big" "$out/paced" ||
    ! grep -q 'labels/s' "$out/big" || ! grep -q 'labels/s' "$out/paced"; then
	echo "verdict: FAIL: a check failed or a run did not finish (see above)"
else
	awk '/^# (commit|take) latency ms: / { if ($8 + 0 >= 50) slow++ }
	    /^# (commit|take) latency ms after/ { if ($NF + 0 >= 50) warm++ }
	    END { if (slow) print "verdict: PASS on correctness (nothing lost, " \
		"no item past k); p99 >= 50 ms in " slow " of the 6 latency " \
		"figures, " warm + 0 " of 6 after each labeler'"'"'s first label"
		else print "verdict: PASS: nothing lost, no item past k, " \
		"every p99 < 50 ms" }' "$out/lite" "$out/pg" "$out/big"
	awk -v think="$THINK" '/^# (commit|take) latency ms: / { if ($8 + 0 >= 50) slow++ }
	    END { print "at a human pace (" think " s a label, 64 labelers, 1M items): " 		(slow ? "p99 >= 50 ms in " slow " of 2 latency figures: target missed" 		: "take and commit p99 < 50 ms: target met") }' "$out/paced"
fi
exit 0
