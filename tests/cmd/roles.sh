# Who may do what, tried as real OS users for every command that writes,
# decides, or shows other people's labels.  A refusal is one line, exit 1,
# nothing written (every table's row count, audit aside, is the same
# afterwards, and no file appears), and one audit row "refused" under the
# real user.  An sme may do the sme things but not the admin ones; an admin
# may do everything.  USER, LOGNAME and SUDO_USER change nobody's identity.
# The table this checks is the one in docs/guide.md ("Roles").
. "$(dirname "$0")/../lib.sh"

LAB=$(test_user lab)
SME=$(test_user sme)
ADM=$(test_user adm)
OUT=$(test_user out)
ensure_user $LAB $SME $ADM $OUT ||
	skip_all "roles are tried as real OS users: $WHY"
chmod 777 "$T"

DB=$T/p.accord
"$ACCORD" init "$DB" --task t --media image --classes ok,bad \
	--borderline unsure --overlap 2 >/dev/null
mkdir img img2 img3
for i in 1 2 3 4; do convert -size 16x16 -seed $i plasma: img/a$i.png; done
for i in 5 6; do convert -size 16x16 -seed $i plasma: img2/b$i.png; done
convert -size 16x16 -seed 7 plasma: img3/c7.png
"$ACCORD" import "$DB" img --batch b1 >/dev/null
"$ACCORD" import "$DB" img2 --batch b2 >/dev/null
cat >labels.csv <<CSV
file,labeler,class
img/a1.png,alice,ok
img/a1.png,bob,bad
img/a2.png,alice,ok
img/a2.png,bob,ok
img/a3.png,alice,bad
img/a3.png,bob,unsure
img2/b5.png,alice,ok
img2/b6.png,bob,bad
CSV
printf 'file,labeler,class\nimg/a4.png,carol,ok\n' >labels2.csv
printf 'path,class\n%s/img/a1.png,ok\n%s/img/a2.png,bad\n' "$T" "$T" >preds.csv
"$ACCORD" labels import "$DB" labels.csv >/dev/null
"$ACCORD" gold "$DB" add 4 ok >/dev/null
"$ACCORD" errors "$DB" --predictions preds.csv --run m1 >/dev/null
"$ACCORD" member "$DB" add $LAB --role labeler >/dev/null
"$ACCORD" member "$DB" add $SME --role sme >/dev/null
"$ACCORD" member "$DB" add $ADM --role admin >/dev/null
# The editor `guideline edit` runs: appends a line, and notes who ran it.
printf '#!/bin/sh\nid -un >>%s/editor.log\nprintf "\\nA changed word.\\n" >>"$1"\n' "$T" >editor.sh
chmod 755 editor.sh
chmod 666 "$DB"
chmod -R a+rX img img2 img3
chmod a+r ./*.csv

# Every table's row count but the audit's, the audit's, and the newest
# audit row, on one line: "n,n,...|N|action user".
TABLES=$(sql "SELECT group_concat('(SELECT count(*) FROM ' || name || ')', ' || '','' || ') FROM sqlite_master WHERE type = 'table' AND name NOT IN ('audit') AND name NOT LIKE 'sqlite_%'")
snap() { sql "SELECT $TABLES || '|' || (SELECT count(*) FROM audit) || '|' || (SELECT action || ' ' || user FROM audit ORDER BY id DESC LIMIT 1)"; }

# attempt USER CMD ARG...: run `accord CMD DB ARG...` as USER (with the
# guideline editor set); `labels` takes its action before DB.
attempt() {
	_u=$1
	_c=$2
	shift 2
	if [ "$_c" = labels ]; then
		_c="labels $1"
		shift
	fi
	run as "$_u" env EDITOR="$T/editor.sh" "$ACCORD" $_c "$DB" "$@" </dev/null
}

# refused USER WANT CMD ARG...: the attempt fails the way a refusal must.
# WANT is what the one line says ("needs the sme role", "is not a member").
refused() {
	_who=$1
	_want=$2
	shift 2
	_before=$(snap)
	attempt "$_who" "$@"
	_after=$(snap)
	_na=$(echo "$_before" | cut -d'|' -f2)
	_why=
	[ "$RC" -eq 1 ] || _why="exit $RC"
	[ -z "$_why" ] && [ "$(wc -l <"$T/err")" -ne 1 ] && _why="$(wc -l <"$T/err") lines on stderr"
	[ -z "$_why" ] && ! grep -q -- "$_want" "$T/err" && _why="stderr lacks '$_want'"
	[ -z "$_why" ] && [ -s "$T/out" ] && _why="printed to stdout: $(head -c 80 "$T/out")"
	[ -z "$_why" ] && [ "${_before%%|*}" != "${_after%%|*}" ] && _why="rows written: $_before -> $_after"
	[ -z "$_why" ] && [ "$_after" != "${_before%%|*}|$((_na + 1))|refused $_who" ] &&
		_why="not one audit row 'refused $_who': $_before -> $_after"
	if [ -z "$_why" ]; then
		pass "$_who: $* is refused"
	else
		fail "$_who: $* is refused" "$_why; err=$(head -c 200 "$T/err" | tr '\n' '|')"
	fi
}

# allowed USER CMD ARG...: the attempt succeeds and nothing is refused.
allowed() {
	_who=$1
	shift
	_na=$(sql "SELECT count(*) FROM audit WHERE action = 'refused'")
	attempt "$_who" "$@"
	ok_if "$_who: $* is allowed" sh -c "[ $RC -eq 0 ] && [ \$(sqlite3 '$DB' \"SELECT count(*) FROM audit WHERE action = 'refused'\") -eq $_na ]"
}

# The commands only an sme or admin may run, as "CMD ARG..." lines, for
# user $1, who makes item $2 gold and item $3 not.  Items 1-4 are
# img/a1-a4.png, 4 is gold.  The export and backup targets are per user,
# so an allowed run by one role cannot make a refusal of another look right.
sme_cmds() {
	cat <<C
review
guideline edit --reason x
adjudicate 1 --class ok
adjudicate 2 --ambiguous
adjudicate 3 --relabel
gold add $2 ok
gold remove $3
gold list
export --out $T/export-$1
labels dump
agree
stats
errors --predictions $T/preds.csv --run m2-$1
errors --run m1
drift --from b1 --to b2
calibration
calibration --method dawid-skene
check
backup $T/backup-$1.accord
C
}
admin_cmds() {
	cat <<C
member add $OUT --role labeler
member remove $LAB
config overlap 3
import $T/img3
labels import $T/labels2.csv
C
}
# What any member may do and a non-member may not.
member_cmds() {
	cat <<C
status
items
member list
guideline show
guideline log
guideline diff 1 1
config
config overlap
label --script $T/one.txt
C
}
printf 'bad\n' >one.txt
chmod a+r one.txt

# A labeler: every sme and admin command is refused, naming the role.
sme_cmds $LAB 1 4 | while read -r line; do
	refused $LAB "needs the sme role ($LAB is labeler)" $line
done
admin_cmds $LAB | while read -r line; do
	refused $LAB "needs the admin role ($LAB is labeler)" $line
done
ok_if "$LAB: no export directory and no backup file appeared" \
	sh -c "[ ! -e '$T/export-$LAB' ] && [ ! -e '$T/backup-$LAB.accord' ] && [ ! -e '$T/backup-$LAB.accord.tmp' ]"

ok_if "$LAB: the refused guideline edit never opened the editor" test ! -e editor.log

# A non-member: everything is refused, the members' commands too.
{ sme_cmds $OUT 1 4; admin_cmds $OUT; member_cmds; } | while read -r line; do
	refused $OUT "$OUT is not a member of this project" $line
done
ok_if "$OUT: no export directory and no backup file appeared" \
	sh -c "[ ! -e '$T/export-$OUT' ] && [ ! -e '$T/backup-$OUT.accord' ]"

# The review screen refuses before it takes a terminal: under a real
# terminal (script(1)) too.
_na=$(sql "SELECT count(*) FROM audit")
run as $LAB script -qec "'$ACCORD' review '$DB'" /dev/null </dev/null
ok_if "$LAB: review on a terminal is refused before the screen starts" \
	sh -c "grep -q 'reviewing labels needs the sme role' '$T/out' && [ \"\$(sqlite3 '$DB' 'SELECT action, user FROM audit ORDER BY id DESC LIMIT 1')\" = 'refused|$LAB' ] && [ \$(sqlite3 '$DB' 'SELECT count(*) FROM audit') -eq $((_na + 1)) ]"

# A labeler may do what members do.
member_cmds | while read -r line; do
	allowed $LAB $line
done
ok_if "$LAB labeled under their own name" \
	sql_is "SELECT count(*) FROM labels WHERE labeler = '$LAB' AND recorded_by = '$LAB'" 1

# An sme: the sme commands run; the admin ones are refused.  review and
# stats are screens: without a terminal they stop after the role check,
# with no refusal.
sme_cmds $SME 1 4 | while read -r line; do
	case $line in
	review|stats)
		_na=$(sql "SELECT count(*) FROM audit WHERE action = 'refused'")
		attempt $SME $line
		ok_if "$SME: $line passes the role check (then wants a terminal)" \
			sh -c "[ $RC -eq 1 ] && grep -q 'terminal' '$T/err' && [ \$(sqlite3 '$DB' \"SELECT count(*) FROM audit WHERE action = 'refused'\") -eq $_na ]"
		;;
	*) allowed $SME $line ;;
	esac
done
admin_cmds $SME | while read -r line; do
	refused $SME "needs the admin role ($SME is sme)" $line
done
ok_if "$SME's decisions, gold and guideline are theirs" sql_is \
	"SELECT (SELECT count(*) FROM adjudications WHERE user = '$SME') || ' ' || (SELECT count(*) FROM gold WHERE user = '$SME') || ' ' || (SELECT author FROM guidelines ORDER BY version DESC LIMIT 1)" \
	"3 2 $SME"
ok_if "the editor ran once, for $SME, not for $LAB or $OUT" sh -c "[ \"\$(cat '$T/editor.log')\" = '$SME' ]"
ok_if "$SME's export and backup exist" \
	sh -c "[ -s '$T/export-$SME/manifest.json' ] && [ -s '$T/backup-$SME.accord' ]"
printf q | as $SME timeout 120 script -qec "'$ACCORD' review '$DB'" /dev/null >"$T/out" 2>&1
RC=$?
ok_if "$SME: the review screen starts on a terminal (and q quits it)" \
	sh -c "[ $RC -eq 0 ] && ! grep -q 'needs the' '$T/out' && grep -q 'review' '$T/out'"

# An admin may do everything.
{ sme_cmds $ADM 2 1; admin_cmds; } | while read -r line; do
	case $line in
	review|stats)
		attempt $ADM $line
		ok_if "$ADM: $line passes the role check" sh -c "[ $RC -eq 1 ] && grep -q 'terminal' '$T/err'"
		;;
	*) allowed $ADM $line ;;
	esac
done
ok_if "the admin's member changes, setting and imports are in force" sql_is \
	"SELECT (SELECT count(*) FROM current_members WHERE user IN ('$OUT', '$LAB')) || ' ' || (SELECT value FROM settings WHERE key = 'overlap' ORDER BY id DESC LIMIT 1) || ' ' || (SELECT count(*) FROM items) || ' ' || (SELECT count(*) FROM labels WHERE labeler = 'carol')" \
	"1 3 7 1"

# Identity is the real uid: naming someone else in the environment that
# sudo, login and su set changes nothing.
"$ACCORD" member "$DB" add $LAB --role labeler >/dev/null
"$ACCORD" member "$DB" remove $OUT >/dev/null
ADM_UID=$(id -u $ADM)
ENV_ADM="USER=$ADM LOGNAME=$ADM SUDO_USER=$ADM SUDO_UID=$ADM_UID USERNAME=$ADM"
_before=$(snap)
run as $LAB env $ENV_ADM "$ACCORD" member "$DB" add $SME --role admin
ok_if "$LAB posing as $ADM (USER, LOGNAME, SUDO_USER) cannot change members" \
	sh -c "[ $RC -eq 1 ] && grep -q 'needs the admin role ($LAB is labeler)' '$T/err' && [ \"\$(sqlite3 '$DB' \"SELECT role FROM current_members WHERE user = '$SME'\")\" = sme ]"
ok_if "the refusal is audited under the real user" sql_is \
	"SELECT user FROM audit ORDER BY id DESC LIMIT 1" "$LAB"
run as $LAB env $ENV_ADM "$ACCORD" labels dump "$DB"
ok_if "$LAB posing as $ADM cannot read every label" sh -c "[ $RC -eq 1 ] && [ ! -s '$T/out' ]"
run as $LAB env $ENV_ADM "$ACCORD" label "$DB" --script "$T/one.txt"
ok_if "a label made while posing is the real user's" sql_is \
	"SELECT count(*) FROM labels WHERE origin = 'screen' AND '$ADM' IN (labeler, recorded_by)" 0
ok_if "... and it is recorded as $LAB's" sql_is \
	"SELECT labeler || ' ' || recorded_by FROM labels ORDER BY id DESC LIMIT 1" "$LAB $LAB"
run as $OUT env $ENV_ADM "$ACCORD" status "$DB"
ok_if "a non-member posing as $ADM is still not a member" \
	sh -c "[ $RC -eq 1 ] && grep -q '$OUT is not a member' '$T/err' && [ ! -s '$T/out' ]"
