#!/bin/sh
# Runs every test program and script and ends with "N passed, N failed".
#
# A test prints "ok - NAME" or "not ok - NAME: why" per case (tests/unit/t.h,
# tests/lib.sh).  A program that exits non-zero without a "not ok" line
# (a sanitizer report, a crash) counts as one failure.  Each program's whole
# output is kept in build/test-logs/.  TESTS="pattern" runs a subset.
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

# The OS users and groups tests make (tests/lib.sh ensure_user; deploy.sh's
# project group) are all named acc*: those this run adds are removed at its
# end, those that were there before stay.
accounts() { cut -d: -f1 "$1" | grep '^acc' | sort; }
if [ "$(id -u)" -eq 0 ]; then
	accounts /etc/passwd >"$LOGS/.users-before"
	accounts /etc/group >"$LOGS/.groups-before"
fi

pass=0
fail=0
start=$(date +%s)
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
	tests/fuzz/run.sh) FUZZ_SECONDS=${FUZZ_SECONDS:-10} timeout 900 sh "$t" >"$log" 2>&1 ;;
	tests/valgrind/run.sh) VALGRIND_QUICK=1 timeout 900 sh "$t" >"$log" 2>&1 ;;
	*.sh) timeout 900 sh "$t" >"$log" 2>&1 ;;
	*) timeout 900 "$t" >"$log" 2>&1 ;;
	esac
	rc=$?
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^not ok ' "$log")
	grep -E '^(not )?ok ' "$log" | sed "s|^|$t: |"
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "$t: not ok - exited with status $rc (see $log)"
		tail -n 20 "$log" | sed 's/^/    /'
		f=1
	fi
	pass=$((pass + p))
	fail=$((fail + f))
	echo "# $t: $p passed, $f failed, $(( $(date +%s) - t0 ))s"
done
if [ -e "$LOGS/.users-before" ]; then
	accounts /etc/passwd | comm -13 "$LOGS/.users-before" - |
	    while read -r u; do userdel "$u" >/dev/null 2>&1; done
	accounts /etc/group | comm -13 "$LOGS/.groups-before" - |
	    while read -r g; do groupdel "$g" >/dev/null 2>&1; done
	left=$(accounts /etc/passwd | comm -13 "$LOGS/.users-before" - | tr '\n' ' ')
	[ -n "$left" ] && echo "# test users still there (busy?): $left"
fi
echo "# total time $(( $(date +%s) - start ))s"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
