# accord init, member and the command-line conventions: --help everywhere,
# usage errors exit 2 with one line, failures exit 1 with one line.
. "$(dirname "$0")/../lib.sh"

for c in init member import status items label labels; do
	run "$ACCORD" "$c" --help
	ok_if "$c --help prints usage" sh -c "[ $RC -eq 0 ] && grep -q 'usage: accord $c' '$T/out'"
done
run "$ACCORD" --help
ok_if "accord --help lists commands" out_has "import"
run "$ACCORD" frobnicate
ok_if "unknown command exits 2 with one line" sh -c "[ $RC -eq 2 ] && [ \$(wc -l < '$T/err') -eq 1 ]"

DB=$T/p.accord
run "$ACCORD" init "$DB" --media image --classes ok,bad
ok_if "init without --task is a usage error" sh -c "[ $RC -eq 2 ] && grep -q -- '--task is required' '$T/err'"
run "$ACCORD" init "$DB" --task t --media video --classes ok,bad
ok_if "init with a bad --media exits 2" rc_is 2
run "$ACCORD" init "$DB" --task t --media image --classes ok,bad --overlap 0
ok_if "init with --overlap 0 exits 2" rc_is 2
ok_if "refused init leaves no file" test ! -e "$DB"

cat > "$T/guide.md" <<'G'
# Surface defects

## ok
No visible mark.

## scratch
A thin line, however faint.
G
run "$ACCORD" init "$DB" --task "surface defects" --media image \
	--classes ok,scratch,dent --borderline unsure --overlap 2 --guideline "$T/guide.md"
ok_if "init creates the store" sh -c "[ $RC -eq 0 ] && [ -s '$DB' ]"
ok_if "init makes the running user admin" sql_is "SELECT role FROM current_members" "admin"
ok_if "init records guideline v1 with class descriptions" \
	sql_is "SELECT description FROM guideline_classes g JOIN classes c ON c.id = g.class WHERE c.name = 'scratch'" "A thin line, however faint."
ok_if "borderline class has key b" sql_is "SELECT key FROM classes WHERE is_borderline = 1" "b"
ok_if "store is in WAL mode" sql_is "PRAGMA journal_mode" "wal"
before=$(cksum < "$DB")
run "$ACCORD" init "$DB" --task x --media audio --classes a,b
ok_if "init refuses to overwrite, exit 1, one line" sh -c "[ $RC -eq 1 ] && [ \$(wc -l < '$T/err') -eq 1 ] && grep -q 'never overwrites' '$T/err'"
ok_if "refused init left the store unchanged" [ "$(cksum < "$DB")" = "$before" ]

run "$ACCORD" init "$T/o.accord" --task t --media image --classes ok,defect --borderline unsure --ordinal
ok_if "ordinal init wants the borderline placed" sh -c "[ $RC -eq 1 ] && grep -q 'where it sits' '$T/err'"
run "$ACCORD" init "$T/o.accord" --task t --media image --classes ok,unsure,defect --borderline unsure --ordinal
ok_if "ordinal init with borderline in the middle" sh -c "[ $RC -eq 0 ]"
DB=$T/o.accord ok_if "ordinal borderline sits at position 1" sh -c "[ \"\$(sqlite3 '$T/o.accord' \"SELECT position FROM classes WHERE name='unsure'\")\" = 1 ]"

run "$ACCORD" member "$DB" add no-such-user-zq
ok_if "member add refuses unknown OS users" sh -c "[ $RC -eq 1 ] && grep -q 'no OS user' '$T/err'"
run "$ACCORD" member "$DB" add daemon --role wizard
ok_if "member add with a bad role exits 2" rc_is 2
run "$ACCORD" member "$DB" add daemon --role sme
ok_if "admin adds an sme" sh -c "[ $RC -eq 0 ]"
run "$ACCORD" member "$DB" list
ok_if "member list shows both" sh -c "grep -q '^daemon *sme' '$T/out' && grep -q 'admin' '$T/out'"
ok_if "member add is audited" sql_is "SELECT count(*) FROM audit WHERE action = 'member add' AND detail = 'daemon as sme'" "1"

LAB=$(test_user lab)
if ensure_user $LAB; then
	chmod 777 "$T"
	chmod 666 "$DB"
	run "$ACCORD" member "$DB" add $LAB
	ok_if "admin adds a labeler" rc_is 0
	run as $LAB "$ACCORD" member "$DB" add daemon --role admin
	ok_if "a labeler cannot change members (real OS user)" sh -c "[ $RC -eq 1 ] && grep -q 'needs the admin role' '$T/err'"
	ok_if "the refusal is audited under the real user" \
		sql_is "SELECT count(*) FROM audit WHERE action = 'refused' AND user = '$LAB'" "1"
	run as $LAB "$ACCORD" status "$DB"
	ok_if "a labeler can read status" rc_is 0
	run as nobody "$ACCORD" member "$DB" remove root
	ok_if "a non-member cannot remove the admin" sh -c "[ $RC -eq 1 ] && grep -q 'not a member' '$T/err'"
	ok_if "admin is still there" sql_is "SELECT role FROM current_members WHERE user = 'root'" "admin"
else
	skip "members as a labeler and a non-member OS user" "$WHY"
fi
run "$ACCORD" member "$DB" remove root
ok_if "the only admin cannot be removed" sh -c "[ $RC -eq 1 ] && grep -q 'only admin' '$T/err'"
run "$ACCORD" member "$DB" remove daemon
ok_if "admin removes a member" rc_is 0
ok_if "removal keeps history rows" sql_is "SELECT count(*) FROM members WHERE user = 'daemon'" "2"
run "$ACCORD" status "$T/missing.accord"
ok_if "status on a missing store: exit 1, one line" sh -c "[ $RC -eq 1 ] && [ \$(wc -l < '$T/err') -eq 1 ]"
