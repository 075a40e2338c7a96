# accord init against a hostile local user (issue 15): init never uses,
# takes over or removes a file it did not create in this run, nor creates
# anything outside the directory it was given.  A -journal, -wal or -shm
# planted before init makes it refuse in one line and stay untouched; a
# symbolic link of another user's on the way is refused; a directory
# swapped for a link to the victim's own stores while init runs (and
# fails) leaves those stores alone.  A setuid or setgid accord refuses to
# run.
. "$(dirname "$0")/../lib.sh"

VIC=$(test_user vic)
ATT=$(test_user att)
ensure_user $VIC $ATT || skip_all "needs two OS users: $WHY"

# S: a directory everyone may create files in (mode 1777, like /tmp).
# VH: the victim's own directory, holding the victim's existing store.
S=$T/shared
VH=$T/vhome
mkdir -m 1777 "$S"
mkdir -m 755 "$VH"
chown $VIC "$VH"
run as $VIC "$ACCORD" init "$VH/p.accord" --task t --media image --classes ok,bad
ok_if "the victim has a store of their own" rc_is 0

# snap DIR: every file under DIR with its owner, mode, inode, size and
# content checksum, to compare before and after.
snap() {
	(cd "$1" && find . -printf '%p %u %m %i %s %y\n' | sort &&
	    find . -type f -exec sha256sum {} + | sort)
}
# init_as USER DB [ARGS...]: USER runs accord init DB (the output in $T/out
# and $T/err, the status in $RC).
init_as() {
	_u=$1 _db=$2
	shift 2
	run as "$_u" "$ACCORD" init "$_db" --task t --media image \
	    --classes ok,bad "$@"
}
# one_line_naming WORD: the command failed with one line naming WORD.
one_line_naming() {
	[ "$RC" -eq 1 ] && [ "$(wc -l <"$T/err")" -eq 1 ] && grep -q -- "$1" "$T/err"
}

# 1. Side files planted before init, readable and writable by the victim
# (so SQLite could use them) or not (so it would trip on them).
printf 'planted journal %0500d' 0 >"$T/junk"
run as $ATT sh -c "cp '$T/junk' '$S/j.accord-journal' &&
    cp '$T/junk' '$S/w.accord-wal' && chmod 666 '$S/w.accord-wal' &&
    cp '$T/junk' '$S/s.accord-shm' && chmod 600 '$S/s.accord-shm'"
ok_if "the other user plants a -journal, a -wal and a -shm" rc_is 0
before=$(snap "$S")
for f in j.accord-journal w.accord-wal s.accord-shm; do
	db=$S/${f%-*}
	init_as $VIC "$db"
	ok_if "planted $f: init refuses in one line naming it" one_line_naming "$f"
	ok_if "planted $f: no store was made" test ! -e "$db"
done
ok_if "the planted files and the directory are as they were" \
	[ "$(snap "$S")" = "$before" ]
init_as $VIC "$S/fine.accord"
ok_if "a store of another name in the same directory is made" rc_is 0
DB=$S/fine.accord ok_if "... and is whole" sql_is "PRAGMA integrity_check" "ok"

# 2. Symbolic links on the way to the store's directory.
mkdir -m 755 "$T/vdir2"
chown $VIC "$T/vdir2"
run as $ATT ln -s "$VH" "$S/alink"
run as $ATT ln -s "$T" "$S/up"
run as $VIC ln -s "$T/vdir2" "$S/vlink"
before=$(snap "$VH")
init_as $VIC "$S/alink/n.accord"
ok_if "the parent is another user's link: refused in one line naming it" \
	one_line_naming "alink, a symbolic link another user"
init_as $VIC "$S/up/vhome/n.accord"
ok_if "another user's link further up: refused too" \
	one_line_naming "up, a symbolic link another user"
ok_if "nothing was made in the directory the links point to" \
	[ "$(snap "$VH")" = "$before" ]
init_as $VIC "$S/vlink/m.accord"
ok_if "the parent is the user's own link: followed, the store is made" \
	sh -c "[ $RC -eq 0 ] && [ -s '$T/vdir2/m.accord' ] && [ ! -L '$T/vdir2/m.accord' ]"

# 3. The attack of issue 15: the other user's directory, where the victim
# creates stores, is swapped for a link to the victim's own directory and
# back, all the time, while the victim's inits run and fail (a 4 KB file
# size limit fails them while the schema is made; a 1 MB guideline under
# a 500 KB limit while the first rows are written) or succeed.  The old
# init removed by path what it had made, and so removed the victim's own
# store of the same name whenever the link was there by then.
# At least N runs, more (up to 3N) until each outcome was seen.
N=${ACCORD_INIT_RACE_RUNS:-30}
i=1
while [ $i -le $((3 * N)) ]; do
	cp "$VH/p.accord" "$VH/r$i.accord"
	i=$((i + 1))
done
chown $VIC "$VH"/r*.accord
/usr/bin/python3 -c "print('# G\n\n## ok\n' + 'fine ' * 200000 + '\n\n## bad\nbad')" >"$T/big.md"
chmod 644 "$T/big.md"
run as $ATT sh -c "mkdir -m 777 '$S/team' && echo mine >'$S/team/notes.txt'"
ok_if "the other user makes a directory for the victim's stores" rc_is 0
before_vh=$(snap "$VH")
before_notes=$(snap "$S/team")
# The swap loop ends at the stop file, after a whole swap: team is the
# real directory again.
as $ATT sh -c "cd '$S' && while [ ! -e stop ]; do
	mv team team.x && ln -s '$VH' team && rm team && mv team.x team
done" 2>"$T/swap.err" &
swapper=$!
ok=0 linked=0 failed=0 gone=0 other=0
i=1
while [ $i -le $N ] || { [ $i -le $((3 * N)) ] &&
    [ $((ok * linked * failed)) -eq 0 ]; }; do
	case $((i % 3)) in
	0) limit=unlimited extra= ;;
	1) limit=8 extra= ;;
	2) limit=1000 extra="--guideline $T/big.md" ;;
	esac
	run as $VIC sh -c "ulimit -f $limit && trap '' XFSZ && exec '$ACCORD' \
	    init '$S/team/r$i.accord' --task t --media image --classes ok,bad $extra"
	if [ "$RC" -eq 0 ]; then
		ok=$((ok + 1))
		echo "r$i.accord" >>"$T/made"
	elif grep -q 'symbolic link another user' "$T/err"; then
		linked=$((linked + 1))
	elif grep -q 'disk I/O error' "$T/err"; then
		failed=$((failed + 1))
	elif grep -q 'No such file' "$T/err"; then
		gone=$((gone + 1))
	else
		other=$((other + 1))
		echo "# run $i: $(cat "$T/err")"
	fi
	i=$((i + 1))
done
: >"$S/stop"
wait $swapper
echo "# $((i - 1)) inits during the swap: $ok made, $linked refused at the link," \
    "$failed failed (file size), $gone found no directory, $other otherwise"
ok_if "the swap loop ran and ended cleanly" \
	sh -c "[ -d '$S/team' ] && [ ! -L '$S/team' ] && [ ! -s '$T/swap.err' ]"
ok_if "the inits met the link, failed and succeeded (the race was run)" \
	[ "$linked" -gt 0 ] && [ "$failed" -gt 0 ] && [ "$ok" -gt 0 ] && [ "$other" -eq 0 ]
ok_if "the victim's own stores are untouched and nothing was made beside them" \
	[ "$(snap "$VH")" = "$before_vh" ]
ok_if "the other user's file in their directory is untouched" \
	[ "$(snap "$S/team" | grep notes.txt)" = "$(echo "$before_notes" | grep notes.txt)" ]
touch "$T/made"
ok_if "the directory holds exactly the stores made, no side file of a failed init" \
	[ "$(cd "$S/team" && ls | grep -v '^notes.txt$' | sort)" = "$(sort "$T/made")" ]
ok_if "the stores made are whole" sh -c "for f in \$(cat '$T/made'); do
	[ \"\$(sqlite3 '$S/team/'\$f 'PRAGMA integrity_check')\" = ok ] || exit 1; done"
ok_if "nothing else appeared in the shared directory" \
	[ "$(ls "$S" | sort | tr '\n' ' ')" = "alink fine.accord j.accord-journal s.accord-shm stop team up vlink w.accord-wal " ]

# 4. No setuid or setgid accord: it would open the files a user names, and
# read the user's terminfo, with rights the user does not have.  The plain
# build: a sanitizer cannot start setuid or setgid.
if [ -x "$ROOT/accord" ]; then
	mkdir -m 755 bin
	for m in 2755 4755; do
		cp "$ROOT/accord" bin/accord-$m
		chmod $m bin/accord-$m
		run as $VIC "$T/bin/accord-$m" status "$VH/p.accord"
		ok_if "an accord installed with mode $m refuses to run" \
			sh -c "[ $RC -eq 1 ] && grep -q 'must not be installed setuid or setgid' '$T/err' && [ ! -s '$T/out' ]"
	done
else
	skip "a setuid or setgid accord refuses to run" "no plain build at $ROOT/accord"
fi
