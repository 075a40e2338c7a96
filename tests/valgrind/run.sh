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
# Two kinds of log have no summary, and pass if they hold no error report:
# - a child accord forked that then exec'd another program (the guideline
#   editor, the audio player): valgrind follows the fork into a new log
#   (%p) but not the exec, so the log just stops.  Its "Parent PID" is an
#   accord process with a log here; counted as "exec'd".
# - a process the test itself kills with SIGKILL (faults.sh, import.sh and
#   export.sh do, on purpose): valgrind has no chance to write a summary.
#   The errors it found before the kill are in the log already; only the
#   leak check at exit is lost.  Counted as "killed".
# Any other fatal signal still gets a summary, so a crash is never taken
# for either.
#
# Each test's time is appended to build/valgrind/timings.tsv (test,
# seconds, processes, exec'd children, killed, result), so a run can be
# done one file at a time without losing the others' results.
#
#   VALGRIND_TESTS="a.sh b.sh"  which tests/cmd scripts (default: all)
#   TESTS=pattern               or those whose name contains pattern, as
#                               in `TESTS=roles make valgrind`
#   VALGRIND_QUICK=1            the subset tests/run.sh uses in `make test`
#                               (there TESTS picks the test programs)
#
# `make valgrind` runs them all: about 31 minutes on two loaded cores.
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
elif [ -n "${TESTS:-}" ]; then
	tests=$(cd tests/cmd && ls *.sh | grep -F -- "$TESTS")
	if [ -z "$tests" ]; then
		echo "not ok - no tests/cmd script matches TESTS=$TESTS"
		exit 1
	fi
else
	tests=$(cd tests/cmd && ls *.sh)
fi

mkdir -p "$OUT"
chmod 755 "$OUT"
[ -e "$OUT/timings.tsv" ] ||
	printf 'test\tseconds\tprocesses\texecd\tkilled\tresult\n' >"$OUT/timings.tsv"
status=0
start=$(date +%s)
for t in $tests; do
	name=${t%.sh}
	logs=$OUT/$name
	rm -rf "$logs"
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
	s=$(grep -c '^skip ' "$OUT/$name.out")
	nproc=$(ls "$logs" | wc -l)
	# Error reports start "==PID== Invalid ...", "Conditional jump ...",
	# "Syscall param ...", "Use of uninitialised ...", "Mismatched free",
	# or "N bytes in M blocks are definitely lost".
	errpat='^==[0-9]+== (Invalid|Conditional|Use of|Syscall|Mismatched|Source and destination|Argument|[0-9,]+ (bytes|\(.*\) bytes) in .* definitely)'
	bad=
	killed=0
	execd=0
	for l in "$logs"/*.log; do
		[ -e "$l" ] || continue
		if grep -q 'ERROR SUMMARY: 0 errors' "$l"; then
			continue
		elif ! grep -q 'ERROR SUMMARY' "$l" && ! grep -Eq "$errpat" "$l"; then
			pp=$(sed -n 's/^==[0-9]*== Parent PID: \([0-9]*\)$/\1/p' "$l")
			if [ -n "$pp" ] && [ -e "$logs/$pp.log" ]; then
				execd=$((execd + 1))
			else
				killed=$((killed + 1))
			fi
		else
			bad="$bad $l"
		fi
	done
	secs=$(( $(date +%s) - t0 ))
	if [ -n "$bad" ]; then
		echo "not ok - valgrind $t: errors in $(echo $bad | wc -w) of $nproc processes (see $OUT/$name/)"
		for b in $(echo $bad | tr ' ' '\n' | head -3); do
			grep -E "$errpat|^==[0-9]+== +(at|by) " "$b" | head -8 | sed 's/^/    /'
		done
		result=errors
		status=1
	elif [ "$f" -gt 0 ] || [ "$rc" -ne 0 ] || [ "$p" -eq 0 ]; then
		echo "not ok - valgrind $t: the test itself failed under valgrind ($p passed, $f failed, rc $rc; see $OUT/$name.out)"
		grep '^not ok' "$OUT/$name.out" | head -5 | sed 's/^/    /'
		result=failed
		status=1
	else
		k=
		[ "$execd" -eq 0 ] || k=", $execd forked children exec'd another program"
		[ "$killed" -eq 0 ] || k="$k, $killed killed by the test"
		echo "ok - valgrind $t: $nproc accord processes clean$k ($p checks passed, $s skipped, ${secs}s)"
		result=clean
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$secs" "$nproc" "$execd" "$killed" "$result" >>"$OUT/timings.tsv"
done
echo "# valgrind: $(( $(date +%s) - start ))s"
exit $status
