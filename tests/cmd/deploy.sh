# docs/deploy.md's shared set-up, built for real: a project group no user
# is in, the store's directory group-owned and setgid, a setgid accord
# binary.  Members work through accord; nobody can read or write the store
# directly, and nobody can act as someone else.
. "$(dirname "$0")/../lib.sh"

G=$(test_user proj)
ADM=$(test_user adm)
LAB=$(test_user lab)
OUT=$(test_user out)
ensure_group $G && ensure_user $ADM $LAB $OUT ||
	skip_all "the shared deployment needs users and a group: $WHY"
# The plain build: in a setgid process /proc/self/environ is unreadable,
# so the sanitizers cannot read their options, and LeakSanitizer cannot
# trace a process that is not dumpable.  Every other test runs this code
# sanitized.
PLAIN=$ROOT/accord

mkdir -p bin proj img
cp "$PLAIN" bin/accord
chgrp $G bin/accord && chmod 2755 bin/accord
chgrp $G proj && chmod 2770 proj
for i in 1 2 3; do convert -size 16x16 -seed $i plasma: img/a$i.png; done
chmod -R a+rX img
A=$T/bin/accord
DB=$T/proj/p.accord

run as $ADM sh -c "umask 007 && exec '$A' init '$DB' --task t --media image --classes ok,bad"
ok_if "the admin creates the store in the group directory" rc_is 0
ok_if "the store is the project group's, mode 660" \
	sh -c "[ \"\$(stat -c '%G %a %U' '$DB')\" = '$G 660 $ADM' ]"
run as $ADM sh -c "umask 007 && exec '$A' import '$DB' '$T/img'"
ok_if "the admin imports through accord" rc_is 0
run as $ADM "$A" member "$DB" add $LAB --role labeler
ok_if "the admin adds a labeler" rc_is 0
ok_if "the admin is the OS user who ran init" \
	sql_is "SELECT user, role FROM current_members ORDER BY user" "$ADM|admin
$LAB|labeler"
ok_if "SQLite's side files are the project group's too" \
	sh -c "for f in '$DB'-wal '$DB'-shm; do [ ! -e \"\$f\" ] || [ \"\$(stat -c %G \"\$f\")\" = $G ] || exit 1; done"

run as $LAB "$A" status "$DB"
ok_if "a member works through the setgid binary" sh -c "[ $RC -eq 0 ] && grep -q '$LAB (labeler)' '$T/out'"
for u in $LAB $OUT; do
	run as $u cat "$DB"
	ok_if "$u cannot read the store directly" sh -c "[ $RC -ne 0 ] && [ ! -s '$T/out' ]"
	run as $u sqlite3 "$DB" "INSERT INTO audit (at, user, action, detail) VALUES ('x', '$ADM', 'forged', '')"
	ok_if "$u cannot write rows directly" sql_is "SELECT count(*) FROM audit WHERE action = 'forged'" "0"
done
for cmd in status items; do
	run as $OUT "$A" $cmd "$DB"
	ok_if "a non-member cannot $cmd through accord" sh -c "[ $RC -eq 1 ] && grep -q '$OUT is not a member' '$T/err' && [ ! -s '$T/out' ]"
done
run as $OUT "$A" member "$DB" add $OUT --role admin
ok_if "a non-member cannot make themselves a member" sql_is "SELECT count(*) FROM current_members WHERE user = '$OUT'" "0"

# Identity is the real uid, whatever the environment says.
run as $LAB env USER=$ADM LOGNAME=$ADM "$A" member "$DB" add $OUT
ok_if "a member cannot act as the admin by setting USER" sh -c "[ $RC -eq 1 ] && grep -q 'needs the admin role ($LAB is labeler)' '$T/err'"
ok_if "the refusal is audited under the real user" \
	sql_is "SELECT user FROM audit WHERE action = 'refused' AND detail LIKE 'changing members%' ORDER BY id DESC LIMIT 1" "$LAB"

# Files a user names are opened with the user's own rights, not the
# project group's: the group's files stay out of reach.
printf 'file,camera\na1.png,cam-a\n' >proj/secret.csv
chgrp $G proj/secret.csv && chmod 660 proj/secret.csv
run as $ADM "$A" import "$DB" "$T/img" --meta "$T/proj/secret.csv"
ok_if "the setgid group does not open the user's own files" sh -c "[ $RC -eq 1 ] && grep -q 'secret.csv.*[Pp]ermission denied' '$T/err'"
ok_if "nothing read from the group-only file" sql_is "SELECT count(*) FROM item_meta WHERE key = 'camera'" "0"

cp "$PLAIN" bin/accord-suid && chmod 4755 bin/accord-suid
run as $LAB "$T/bin/accord-suid" status "$DB"
ok_if "a setuid accord refuses to run" sh -c "[ $RC -eq 1 ] && grep -q 'must not be installed setuid' '$T/err'"
