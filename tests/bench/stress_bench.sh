#!/bin/sh
# tests/bench/stress_bench.sh: the load benchmark (`make bench`, near the
# end of tests/bench/run.sh).  16 labelers, each a real OS user, label one
# project at once, 1,000 labels each, with the optimised ./accord; the
# correctness checks of tests/stress/labelers.sh (the same script, which
# `make test` runs at 16 x 100) apply, and it prints labels/s and the
# take and commit latency p50/p99.  Needs root (it makes its own users,
# tests/lib.sh test_user st01..st16, and removes them).  STRESS_LABELERS
# and STRESS_LABELS override the size.
#
# A report: exit 0 whatever the figures, 2 if it could not run; a failed
# check shows as a "not ok" line and the verdict FAIL.
set -u
cd "$(dirname "$0")/../.." || exit 2
ROOT=$(pwd)
[ -x "$ROOT/accord" ] || { echo "bench: ./accord is missing; run 'make bench'" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "bench: the load benchmark needs root (real OS users)" >&2; exit 2; }
L=${STRESS_LABELERS:-16}
N=${STRESS_LABELS:-1000}
out=$(mktemp "${TMPDIR:-/tmp}/accord-stress.XXXXXX")
echo
echo "== accord load benchmark: $L labelers x $N labels, overlap 3"
echo "   $(nproc) CPUs, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
ROOT=$ROOT ACCORD=$ROOT/accord STRESS_LABELERS=$L STRESS_LABELS=$N \
    sh tests/stress/labelers.sh >"$out" 2>&1
sed 's/^/   /' "$out"
if grep -q '^not ok' "$out" || ! grep -q '^# .* labels/s' "$out"; then
	echo "verdict: FAIL: a load check failed (see above)"
else
	echo "verdict: PASS: no label lost, duplicated or past overlap k"
fi
rm -f "$out"
exit 0
