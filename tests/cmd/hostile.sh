# Hostile strings: terminal escape sequences, invalid UTF-8, C1 controls,
# very long values and SQL metacharacters in file names, metadata, batch
# names, labeler names and notes are stored byte for byte and printed
# inert by every command (the screens are tested in tests/e2e).
. "$(dirname "$0")/../lib.sh"

DB=$T/p.accord
"$ACCORD" init "$DB" --task t --media image --classes ok,bad --overlap 2 >/dev/null
mkdir img
# ESC ] 0 ; title BEL (sets the window title), ESC [ 2 J (clears), a C1
# CSI (0xc2 0x9b), invalid UTF-8 (0xff 0xfe), and SQL.
EVIL=$(printf 'x\033]0;pwned\007\033[2J\302\233\377\376'"'; DROP TABLE items; --")
convert -size 8x8 xc:red "img/${EVIL}.png"
convert -size 8x8 xc:blue img/plain.png
LONG=$(head -c 100000 /dev/zero | tr '\0' 'L')
printf 'file,note\n"%s.png","%s"\nplain.png,%s\n' "$EVIL" "$EVIL" "$LONG" >meta.csv
run "$ACCORD" import "$DB" img --meta meta.csv --batch "b$EVIL"
ok_if "import takes the hostile names" rc_is 0

hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n' | tr a-f A-F; }
ok_if "the path is stored byte for byte" \
	sql_is "SELECT count(*) FROM items WHERE hex(path) LIKE '%$(hex "/img/$EVIL.png")'" "1"
ok_if "the metadata value is stored byte for byte" \
	sql_is "SELECT count(*) FROM item_meta WHERE key = 'note' AND hex(value) = '$(hex "$EVIL")'" "1"
ok_if "the 100 KB value is stored whole" \
	sql_is "SELECT max(length(value)) FROM item_meta WHERE key = 'note'" "100000"
ok_if "the batch name is stored byte for byte" \
	sql_is "SELECT count(*) FROM batches WHERE hex(name) = '$(hex "b$EVIL")'" "1"
ok_if "the SQL in the names did nothing" sql_is "SELECT count(*) FROM items" "2"

printf 'file,labeler,class,note\n"%s.png","%s",ok,"%s"\n"%s.png",bob,bad,\nplain.png,bob,bad,%s\n' \
	"$EVIL" "l$EVIL" "$EVIL" "$EVIL" "$LONG" >labels.csv
run "$ACCORD" labels import "$DB" labels.csv
ok_if "labels import takes hostile labeler names and notes" rc_is 0
ok_if "the note is stored byte for byte" \
	sql_is "SELECT count(*) FROM labels WHERE hex(note) = '$(hex "$EVIL")' AND hex(labeler) = '$(hex "l$EVIL")'" "1"

# Inert: no ESC, BEL or C1 CSI byte reaches the output; the invalid bytes
# show as U+FFFD.
# Each output must show the string (pwned) for the check to mean anything.
inert() { grep -q pwned "$T/out" && ! LC_ALL=C grep -q "$(printf '[\033\007\233\377]')" "$T/out"; }
for args in "items DB" "status DB" "labels dump DB" "agree DB"; do
	run "$ACCORD" $(echo "$args" | sed "s|DB|$DB|")
	ok_if "$args: succeeds" rc_is 0
	ok_if "$args: prints the hostile strings inert" inert
done
run "$ACCORD" items "$DB"
ok_if "items: invalid UTF-8 shown as U+FFFD, the rest visible" \
	sh -c "grep -q 'x?]0;pwned??\[2J?$(printf '\357\277\275\357\277\275')'\"'\"'; DROP TABLE items; --.png' '$T/out'"
# awk's index(), not grep: grep takes minutes over a 100,000-byte pattern.
ok_if "items: the long value printed whole" \
	awk -v s="$LONG" 'index($0, s) { f = 1 } END { exit !f }' "$T/out"

# JSON: valid, and the escapes come back as the same characters.
for args in "items DB --json" "labels dump DB --json" "status DB --json" "agree DB --json"; do
	run "$ACCORD" $(echo "$args" | sed "s|DB|$DB|")
	ok_if "$args: valid JSON, no raw ESC or BEL" sh -c "[ $RC -eq 0 ] && grep -q pwned '$T/out' && ! LC_ALL=C grep -q \"\$(printf '[\033\007]')\" '$T/out' && /usr/bin/python3 -c '
import json, sys
for line in open(sys.argv[1], encoding=\"utf-8\"):
    if line.strip():
        json.loads(line)
' '$T/out'"
done
run "$ACCORD" items "$DB" --json
ok_if "items --json: the escapes round-trip" /usr/bin/python3 -c '
import json, sys
paths = [json.loads(l)["path"] for l in open(sys.argv[1], encoding="utf-8")]
assert any("x\x1b]0;pwned\x07\x1b[2J\x9b\ufffd\ufffd'"'"'; DROP TABLE items; --.png" in p for p in paths), paths
' "$T/out"

# A hostile file name in an error line is inert too.
: >"img/${EVIL}-empty.png"
run "$ACCORD" import "$DB" "img/${EVIL}-empty.png"
ok_if "a bad hostile-named file: one error line, inert" sh -c "[ $RC -eq 1 ] && [ \$(wc -l <'$T/err') -eq 1 ] && ! LC_ALL=C grep -q \"\$(printf '[\033\007\233]')\" '$T/err'"

# Guideline text: stored intact, shown inert by show and diff.
printf '# G\n\n## ok\nfine %s here\n\n## bad\nbad\n' "$EVIL" >g1.md
DB=$T/g.accord
"$ACCORD" init "$DB" --task t --media image --classes ok,bad --guideline g1.md >/dev/null
ok_if "guideline text is stored byte for byte" \
	sql_is "SELECT instr(hex(text), '$(hex "$EVIL")') > 0 FROM guidelines WHERE version = 1" "1"
run "$ACCORD" guideline "$DB" show
ok_if "guideline show prints it inert" sh -c "[ $RC -eq 0 ] && grep -q pwned '$T/out' && ! LC_ALL=C grep -q \"\$(printf '[\033\007\233\377]')\" '$T/out'"
printf '# G\n\n## ok\nfine\n\n## bad\nbad\n' >g2.md
run "$ACCORD" guideline "$DB" edit --file g2.md --reason "$EVIL"
ok_if "a reason with control characters is refused, nothing stored" sh -c "[ $RC -eq 1 ] && [ \$(wc -l <'$T/err') -eq 1 ] && [ \$(sqlite3 '$DB' 'SELECT count(*) FROM guidelines') -eq 1 ]"
SQLR="pwned'; DROP TABLE guidelines; --"
run "$ACCORD" guideline "$DB" edit --file g2.md --reason "$SQLR"
ok_if "a reason with SQL in it is taken" rc_is 0
ok_if "and stored as it is" sql_is "SELECT reason = '$(printf %s "$SQLR" | sed "s/'/''/g")' FROM guidelines WHERE version = 2" "1"
run "$ACCORD" guideline "$DB" diff 1 2
ok_if "guideline diff prints the old text inert" sh -c "[ $RC -eq 0 ] && grep -q pwned '$T/out' && ! LC_ALL=C grep -q \"\$(printf '[\033\007\233\377]')\" '$T/out'"

# Hostile users against a store set up as docs/deploy.md says for a group
# that trusts itself, with real OS users: the members' group owns the
# directory (2770) and the store (660).  Someone outside the group reaches
# nothing, neither the file nor anything through accord; USER and LOGNAME
# change nobody's identity.  (What members can do to the file directly is
# not limited: deploy.md says so.)
G=$(test_user proj)
ADM=$(test_user adm)
LAB=$(test_user lab)
OUT=$(test_user out)
if ! { ensure_group $G && ensure_user $ADM $LAB $OUT; }; then
	skip "the group set-up (docs/deploy.md)" "$WHY"
	exit 0
fi
run usermod -aG $G $ADM
ok_if "the admin joins the project group" rc_is 0
run usermod -aG $G $LAB
ok_if "the labeler joins the project group" rc_is 0
mkdir proj img2
chgrp $G proj && chmod 2770 proj
for i in 1 2 3; do convert -size 16x16 -seed $i plasma: img2/a$i.png; done
chmod -R a+rX img2
DB=$T/proj/p.accord
run as $ADM sh -c "umask 007 && exec '$ACCORD' init '$DB' --task t --media image --classes ok,bad"
ok_if "the admin creates the store in the group's directory" rc_is 0
ok_if "the store is the group's, mode 660" \
	sh -c "[ \"\$(stat -c '%G %a %U' '$DB')\" = '$G 660 $ADM' ]"
run as $ADM "$ACCORD" import "$DB" "$T/img2"
ok_if "the admin imports" rc_is 0
run as $ADM "$ACCORD" member "$DB" add $LAB --role labeler
ok_if "the admin adds a labeler" rc_is 0
ok_if "the admin is the OS user who ran init" \
	sql_is "SELECT user, role FROM current_members ORDER BY user" "$ADM|admin
$LAB|labeler"
run as $LAB "$ACCORD" status "$DB"
ok_if "a member works with the store" sh -c "[ $RC -eq 0 ] && grep -q '$LAB (labeler)' '$T/out'"
ok_if "the store's side files are the group's, with its mode" \
	sh -c "for f in '$DB'-wal '$DB'-shm; do [ ! -e \"\$f\" ] || [ \"\$(stat -c '%G %a' \"\$f\")\" = '$G 660' ] || exit 1; done"

run as $OUT cat "$DB"
ok_if "an outsider cannot read the store" sh -c "[ $RC -ne 0 ] && [ ! -s '$T/out' ]"
run as $OUT sqlite3 "$DB" "INSERT INTO audit (at, user, action, detail) VALUES ('x', '$ADM', 'forged', '')"
ok_if "an outsider cannot write rows" sql_is "SELECT count(*) FROM audit WHERE action = 'forged'" "0"
for cmd in status items; do
	run as $OUT "$ACCORD" $cmd "$DB"
	ok_if "an outsider cannot $cmd through accord: one line, nothing shown" \
		sh -c "[ $RC -eq 1 ] && [ \$(wc -l <'$T/err') -eq 1 ] && [ ! -s '$T/out' ]"
done
run as $OUT "$ACCORD" member "$DB" add $OUT --role admin
ok_if "an outsider cannot make themselves a member" \
	sql_is "SELECT count(*) FROM current_members WHERE user = '$OUT'" "0"
run as $LAB env USER=$ADM LOGNAME=$ADM "$ACCORD" member "$DB" add $OUT
ok_if "a member cannot act as the admin by setting USER" \
	sh -c "[ $RC -eq 1 ] && grep -q 'needs the admin role ($LAB is labeler)' '$T/err'"
ok_if "the refusal is audited under the real user" \
	sql_is "SELECT user FROM audit WHERE action = 'refused' AND detail LIKE 'changing members%' ORDER BY id DESC LIMIT 1" "$LAB"
