#!/bin/sh
# tests/fuzz/run.sh: runs the libFuzzer harnesses (build/fuzz/fuzz_*, built
# by `make fuzz` and `make test`) and prints "ok - ..." / "not ok - ..."
# lines for tests/run.sh.
#
# For each harness: first every input in tests/fuzz/regress/HARNESS/ is
# replayed (crashes found before, fixed in core: they must stay fixed) along
# with the seed corpus tests/fuzz/corpus/HARNESS/; then the harness fuzzes
# for FUZZ_SECONDS (default 5: the brief run of `make test`, which must
# stay within 15 minutes; `make fuzz` passes 60) starting from a copy of
# the seeds in build/fuzz/work/HARNESS,
# so the checked-in corpus stays small.  A crash leaves its input in
# build/fuzz/crashes/HARNESS/: add it to regress/ with the fix.
#
#   FUZZ_SECONDS=N   fuzzing time per harness
#   FUZZ_ONLY=name   run one harness (e.g. fuzz_image)
#
# Memory: -malloc_limit_mb=1024 makes any single allocation over 1 GiB a
# failure.  The largest the documented limits allow (media.h) is a
# 2^26-pixel image, 192 MiB of RGB plus libjpeg's coefficient buffers for a
# progressive JPEG; a header claiming more must be refused before
# allocating, and this catches one that is not.
set -u
cd "$(dirname "$0")/../.." || exit 2
ROOT=$(pwd)
SECS=${FUZZ_SECONDS:-5}
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=1:allocator_may_return_null=0"
export LSAN_OPTIONS="suppressions=$ROOT/tests/fuzz/lsan.supp:${LSAN_OPTIONS:-}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-}:print_stacktrace=1:halt_on_error=1"
OPTS="-malloc_limit_mb=1024 -rss_limit_mb=2560 -timeout=20 -max_len=65536"

status=0
ran=0
for bin in build/fuzz/fuzz_*; do
	[ -x "$bin" ] || continue
	case "$bin" in *.a) continue ;; esac
	h=$(basename "$bin")
	[ -n "${FUZZ_ONLY:-}" ] && [ "$h" != "$FUZZ_ONLY" ] && continue
	ran=$((ran + 1))
	seeds="tests/fuzz/corpus/$h"
	reg="tests/fuzz/regress/$h"
	log="build/fuzz/$h.log"
	if [ ! -d "$seeds" ] || [ -z "$(ls "$seeds")" ]; then
		echo "not ok - $h: no seed corpus in $seeds"
		status=1
		continue
	fi

	# Replay: libFuzzer runs each file named once and exits non-zero on
	# the first crash.  The regression inputs are small files, some with
	# headers claiming huge sizes: with a 64 MB allocation limit, one that
	# allocates what its header claims fails again.
	n=$(ls "$seeds" | wc -l)
	nr=0
	[ -d "$reg" ] && nr=$(ls "$reg" | wc -l)
	# shellcheck disable=SC2086
	if "$bin" $OPTS "$seeds"/* >"$log.replay" 2>&1 &&
	    { [ "$nr" -eq 0 ] || "$bin" $OPTS -malloc_limit_mb=64 "$reg"/* \
	    >>"$log.replay" 2>&1; }; then
		echo "ok - $h: $n seeds and $nr regression inputs replay clean"
	else
		echo "not ok - $h: replaying seeds/regressions failed (see $log.replay)"
		grep -E 'ERROR|SUMMARY|Running:' "$log.replay" | tail -5 | sed 's/^/    /'
		status=1
		continue
	fi

	[ "$SECS" -gt 0 ] || continue
	work="build/fuzz/work/$h"
	crashes="build/fuzz/crashes/$h"
	mkdir -p "$work" "$crashes"
	cp "$seeds"/* "$work"/
	"$bin" $OPTS -max_total_time="$SECS" -print_final_stats=1 \
	    -artifact_prefix="$crashes/" "$work" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
	if [ "$rc" -eq 0 ]; then
		echo "ok - $h: ${SECS}s of fuzzing, ${runs:-?} inputs, $cov, no crash"
	else
		echo "not ok - $h: crashed after ${runs:-?} inputs (input in $crashes/, log $log)"
		grep -E 'ERROR|SUMMARY' "$log" | head -3 | sed 's/^/    /'
		status=1
	fi
done
[ "$ran" -gt 0 ] ||
	echo "skip - fuzzing: no harness in build/fuzz (make fuzz builds them)"
exit $status
