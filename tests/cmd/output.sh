# Exit status tells the truth about standard output: a command whose output
# could not be written (a full disk: /dev/full) fails with one line naming
# the problem, as git does, instead of exiting 0 with the output lost.
. "$(dirname "$0")/../lib.sh"

DB=$T/p.accord
"$ACCORD" init "$DB" --task t --media image --classes ok,scratch >/dev/null
"$ACCORD" import "$DB" "$ROOT"/assets/demo/images/img_00[1-4]* >/dev/null 2>&1
printf 'file,labeler,class\n' >"$T/l.csv"
for f in "$ROOT"/assets/demo/images/img_00[1-4]*; do
	printf '%s,l1,ok\n%s,l2,scratch\n' "$f" "$f" >>"$T/l.csv"
done
"$ACCORD" labels import "$DB" "$T/l.csv" >/dev/null

# full CMD...: CMD with standard output on /dev/full.
full() {
	"$@" >/dev/full 2>"$T/err"
	RC=$?
	return 0
}
wrote_nothing() {
	[ "$RC" -eq 1 ] && err_lines 1 &&
	    err_has '^accord: write failure on standard output'
}

for args in "labels dump DB" "labels dump DB --json" "items DB" \
    "items DB --json" "status DB" "status DB --json" "check DB --json"; do
	# shellcheck disable=SC2086
	run "$ACCORD" $(echo "$args" | sed "s|DB|$DB|")
	ok_if "$args: exits 0 with output" sh -c "[ $RC -eq 0 ] && [ -s '$T/out' ] && [ ! -s '$T/err' ]"
	# shellcheck disable=SC2086
	full "$ACCORD" $(echo "$args" | sed "s|DB|$DB|")
	ok_if "$args > /dev/full: exit 1, one line" wrote_nothing
done
run "$ACCORD" labels dump "$DB"
ok_if "dump prints all 8 label rows" sh -c "[ \$(wc -l < '$T/out') -eq 8 ]"

for c in status items labels; do
	run "$ACCORD" "$c" --help
	ok_if "$c --help exits 0" sh -c "[ $RC -eq 0 ] && grep -q 'usage: accord $c' '$T/out'"
	full "$ACCORD" "$c" --help
	ok_if "$c --help > /dev/full: exit 1, one line" wrote_nothing
done
full "$ACCORD" --help
ok_if "accord --help > /dev/full: exit 1, one line" wrote_nothing
full "$ACCORD" --version
ok_if "accord --version > /dev/full: exit 1, one line" wrote_nothing

# A usage error keeps its status (2); the lost output is named as well.
full "$ACCORD" status "$DB" --bogus
ok_if "a usage error still exits 2" rc_is 2
# A failure with nothing written is not a write failure.
full "$ACCORD" status "$T/none.accord"
ok_if "a failing command with no output: exit 1, its own message only" \
    sh -c "[ $RC -eq 1 ] && [ \$(wc -l < '$T/err') -eq 1 ] && ! grep -q 'write failure' '$T/err'"
