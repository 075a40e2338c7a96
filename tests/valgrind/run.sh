#!/bin/sh
# tests/valgrind/run.sh: the command tests (tests/cmd/*.sh) with the gcc
# build (./accord, no sanitizers) under valgrind, printing "ok"/"not ok"
# lines for tests/run.sh.
#
# Every accord process the tests start runs as
#   valgrind --error-exitcode=1 --leak-check=full \
#       --errors-for-leak-kinds=definite ./accord ...
# through a wrapper script that the tests see as $ACCORD (tests/lib.sh takes
# the binary from $ACCORD; this is the way to prefix it).  Because a test
# may expect accord to exit 1, the exit status alone cannot tell a valgrind
# error from a refusal, so each process also writes its report to a log
# file, and a test passes only if every log says "ERROR SUMMARY: 0 errors".
#
#   VALGRIND_TESTS="a.sh b.sh"  which tests/cmd scripts (default: all)
#   VALGRIND_QUICK=1            the subset tests/run.sh uses in `make test`
#
# `make valgrind` runs them all.
set -u
cd "$(dirname "$0")/../.." || exit 2
ROOT=$(pwd)
export ROOT
BIN=$ROOT/accord
OUT=$ROOT/build/valgrind
QUICK="labels_status.sh"

if ! command -v valgrind >/dev/null 2>&1; then
	echo "not ok - valgrind is not installed (scripts/deps.sh test)"
	exit 1
fi
if [ ! -x "$BIN" ]; then
	echo "not ok - no ./accord (make all)"
	exit 1
fi
if [ -n "${VALGRIND_TESTS:-}" ]; then
	tests=$VALGRIND_TESTS
elif [ -n "${VALGRIND_QUICK:-}" ]; then
	tests=$QUICK
else
	tests=$(cd tests/cmd && ls *.sh)
fi

rm -rf "$OUT"
mkdir -p "$OUT"
chmod 755 "$OUT"
status=0
start=$(date +%s)
for t in $tests; do
	name=${t%.sh}
	logs=$OUT/$name
	mkdir -p "$logs"
	# Tests run accord as other OS users too: they must write logs here.
	chmod 1777 "$logs"
	wrap=$OUT/accord-$name
	cat >"$wrap" <<W
#!/bin/sh
exec valgrind --error-exitcode=1 --leak-check=full \\
    --errors-for-leak-kinds=definite --show-leak-kinds=definite \\
    --suppressions="$ROOT/tests/valgrind/accord.supp" \\
    --log-file="$logs/%p.log" "$BIN" "\$@"
W
	chmod 755 "$wrap"
	t0=$(date +%s)
	ACCORD=$wrap timeout 1800 sh "tests/cmd/$t" >"$OUT/$name.out" 2>&1
	rc=$?
	f=$(grep -c '^not ok ' "$OUT/$name.out")
	p=$(grep -c '^ok ' "$OUT/$name.out")
	nproc=$(ls "$logs" | wc -l)
	bad=$(grep -L 'ERROR SUMMARY: 0 errors' "$logs"/*.log 2>/dev/null)
	secs=$(( $(date +%s) - t0 ))
	if [ -n "$bad" ]; then
		echo "not ok - valgrind $t: errors in $(echo "$bad" | wc -l) of $nproc processes (see $OUT/$name/)"
		for b in $(echo "$bad" | head -3); do
			grep -E '^==[0-9]+== (Invalid|Conditional|Use of|Syscall|[0-9,]+ bytes in .* definitely|   (at|by) )' "$b" | head -8 | sed 's/^/    /'
		done
		status=1
	elif [ "$f" -gt 0 ] || [ "$rc" -ne 0 ] || [ "$p" -eq 0 ]; then
		echo "not ok - valgrind $t: the test itself failed under valgrind ($p passed, $f failed, rc $rc; see $OUT/$name.out)"
		grep '^not ok' "$OUT/$name.out" | head -5 | sed 's/^/    /'
		status=1
	else
		echo "ok - valgrind $t: $nproc accord processes clean ($p checks passed, ${secs}s)"
	fi
done
echo "# valgrind: $(( $(date +%s) - start ))s"
exit $status
