#!/bin/sh
# Runs every test program and script and ends with
# "N passed, N failed, N skipped".
#
# A test prints "ok - NAME", "not ok - NAME: why" or "skip - NAME: why"
# per case (tests/unit/t.h, tests/lib.sh); a skip is counted apart, never
# as a pass.  A program that exits non-zero without a "not ok" line (a
# sanitizer report, a crash), or prints no line at all, counts as one
# failure.  Each program's whole output is kept in build/test-logs/, its
# time is printed after it, and the slowest 10 at the end.
# TESTS="pattern" runs a subset.
set -u
cd "$(dirname "$0")/.." || exit 2
ROOT=$(pwd)
export ROOT
export ACCORD="$ROOT/build/asan/accord"
export ASAN_OPTIONS="abort_on_error=0:detect_leaks=1:halt_on_error=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
LOGS="$ROOT/build/test-logs"
rm -rf "$LOGS"
mkdir -p "$LOGS"

# The OS users and groups the tests make are named with this run's id
# (tests/lib.sh test_user): another run at the same time has its own.
# Each script removes those it made when it exits; every one made is also
# listed in $ACCORD_TEST_MADE, and the end of the run removes, by name,
# what a killed script left.
ACCORD_TEST_ID=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
ACCORD_TEST_MADE="$LOGS/.made"
: >"$ACCORD_TEST_MADE"
export ACCORD_TEST_ID ACCORD_TEST_MADE

pass=0
fail=0
skip=0
start=$(date +%s)
# count PATTERN LOG: the number of lines of LOG starting with PATTERN.
count() { grep -c "^$1 " "$2"; }
for t in build/asan/tests/* tests/cmd/*.sh tests/stress/*.sh tests/reference/*.sh tests/e2e/*.sh \
    tests/fuzz/run.sh tests/valgrind/run.sh; do
	[ -e "$t" ] || continue
	case "$t" in *.d|*.o) continue ;; esac
	if [ -n "${TESTS:-}" ]; then
		case "$t" in *${TESTS}*) ;; *) continue ;; esac
	fi
	name=$(echo "$t" | sed 's|/|_|g')
	log="$LOGS/$name.log"
	t0=$(date +%s)
	case "$t" in
	# Brief runs here; `make fuzz` and `make valgrind` run them in full.
	tests/fuzz/run.sh) FUZZ_SECONDS=${FUZZ_SECONDS:-5} timeout 900 sh "$t" >"$log" 2>&1 ;;
	tests/valgrind/run.sh) VALGRIND_QUICK=1 timeout 900 sh "$t" >"$log" 2>&1 ;;
	*.sh) timeout 900 sh "$t" >"$log" 2>&1 ;;
	*) timeout 900 "$t" >"$log" 2>&1 ;;
	esac
	rc=$?
	secs=$(($(date +%s) - t0))
	p=$(count ok "$log")
	f=$(count "not ok" "$log")
	s=$(count skip "$log")
	grep -E '^(not ok|ok|skip) ' "$log" | sed "s|^|$t: |"
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "$t: not ok - exited with status $rc (see $log)"
		tail -n 20 "$log" | sed 's/^/    /'
		f=1
	elif [ $((p + f + s)) -eq 0 ]; then
		echo "$t: not ok - printed no check (see $log)"
		f=1
	fi
	pass=$((pass + p))
	fail=$((fail + f))
	skip=$((skip + s))
	echo "# $t: $p passed, $f failed, $s skipped, ${secs}s"
	echo "$secs $t" >>"$LOGS/.times"
done

# What a killed script left: lib.sh removes, on exit, every name in its
# list of what it made (and finds the names already gone quietly).
if [ -s "$ACCORD_TEST_MADE" ]; then
	sh -c '. "$ROOT/tests/lib.sh" && cat "$ACCORD_TEST_MADE" >"$_MADE"' \
	    >"$LOGS/.cleanup" 2>&1
	grep '^not ok ' "$LOGS/.cleanup"
	fail=$((fail + $(count "not ok" "$LOGS/.cleanup")))
fi
if [ -s "$LOGS/.times" ]; then
	echo "# slowest:"
	sort -rn "$LOGS/.times" | head -n 10 |
	    sed 's/^\([0-9]*\) \(.*\)/#   \1s \2/'
fi
echo "# total time $(( $(date +%s) - start ))s"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
