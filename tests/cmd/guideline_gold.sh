# accord guideline, gold and config as users run them: versions through an
# EDITOR script, refusals (audited), kept text on a bad edit, the diff
# against diff -u, gold items and agree's gold accuracy, settings.
. "$(dirname "$0")/../lib.sh"

LAB=$(test_user lab)
SME=$(test_user sme)
ensure_user $LAB $SME || skip_all "roles are tried as real OS users: $WHY"
chmod 777 "$T"
DB=$T/p.accord
S=$ROOT/assets/demo
run "$ACCORD" init "$DB" --task "surface defects" --media image \
	--classes ok,scratch,dent --borderline unsure \
	--guideline "$S/guideline-images.md" --gold-rate 10%
ok_if "init --gold-rate" sql_is "SELECT value FROM settings WHERE key = 'gold-rate'" "0.1"
run "$ACCORD" init "$T/x.accord" --task t --media image --classes a,b --gold-rate 2
ok_if "init refuses a gold rate above 1 (usage)" sh -c "[ $RC -eq 2 ] && [ ! -e '$T/x.accord' ]"
"$ACCORD" import "$DB" "$S/images/img_001.jpg" "$S/images/img_002.jpg" \
	"$S/images/img_003.jpg" "$S/images/img_004.jpg" >/dev/null 2>&1
"$ACCORD" member "$DB" add $LAB >/dev/null
"$ACCORD" member "$DB" add $SME --role sme >/dev/null
chmod 666 "$DB"*

# --- guideline ---------------------------------------------------------
run as $LAB "$ACCORD" guideline "$DB" show
ok_if "a labeler reads the guideline in force" sh -c "[ $RC -eq 0 ] && grep -q '^guideline v1 by root' '$T/out' && grep -q 'A soft, roughly round patch' '$T/out'"
ok_if "show lists class descriptions" sh -c "grep -q '^class descriptions (v1):' '$T/out' && grep -q '^  b unsure' '$T/out'"

cat >"$T/ed.sh" <<'EOF'
#!/bin/sh
# Rewrites the description of unsure (the last section) and names examples.
sed -i '/^## unsure/,$d' "$1"
printf '## unsure\nOnly a mark you cannot tell from brushing in good light.\nexamples: 2, 3\n' >>"$1"
EOF
chmod 755 "$T/ed.sh"

run as $LAB env EDITOR="$T/ed.sh" "$ACCORD" guideline "$DB" edit --reason x
ok_if "a labeler may not edit: one line, exit 1" sh -c "[ $RC -eq 1 ] && grep -q 'needs the sme role' '$T/err'" 
ok_if "the refusal is audited" sql_is "SELECT count(*) FROM audit WHERE user = '$LAB' AND action = 'refused' AND detail LIKE 'editing the guideline%'" 1

run as $SME env EDITOR="$T/ed.sh" "$ACCORD" guideline "$DB" edit --reason "unsure is rarer"
ok_if "the SME saves v2 through EDITOR" sh -c "[ $RC -eq 0 ] && grep -q 'guideline v2 saved' '$T/out'"
ok_if "v2 row with author and reason" sql_is "SELECT author || '|' || reason FROM guidelines WHERE version = 2" "$SME|unsure is rarer"
ok_if "v2 class description parsed" sql_is "SELECT description FROM guideline_classes g JOIN classes c ON c.id = g.class WHERE version = 2 AND c.name = 'unsure'" "Only a mark you cannot tell from brushing in good light.
examples: 2, 3"
ok_if "v1 is unchanged" sql_is "SELECT count(*) FROM guideline_classes WHERE version = 1 AND description LIKE 'You cannot decide%'" 1

run as $SME env VISUAL=true EDITOR="$T/ed.sh" "$ACCORD" guideline "$DB" edit --reason again
ok_if "VISUAL wins over EDITOR; unchanged text: no change, no version" sh -c "[ $RC -eq 0 ] && grep -q 'no change' '$T/out'"
ok_if "still two versions" sql_is "SELECT count(*) FROM guidelines" 2

run as $SME env EDITOR="sed -i s/^##\\ dent/##\\ dents/" TMPDIR="$T" "$ACCORD" guideline "$DB" edit --reason typo
kept=$(sed -n 's/^accord: \([^:]*\.md\): .*/\1/p' "$T/err")
ok_if "an unknown class heading: one line naming the kept file" sh -c "[ $RC -eq 1 ] && [ \$(wc -l <'$T/err') -eq 1 ] && grep -q \"'## dents' names no class\" '$T/err' && grep -q 'nothing stored' '$T/err'"
ok_if "the kept file holds the edited text" grep -q '^## dents' "$kept"
ok_if "nothing stored" sql_is "SELECT count(*) FROM guidelines" 2

printf '## unsure\nexamples: 99\n' >"$T/bad.md"
run as $SME "$ACCORD" guideline "$DB" edit --file "$T/bad.md" --reason r
ok_if "an example that is not an item is refused" sh -c "[ $RC -eq 1 ] && grep -q 'bad.md: line 2: example 99 is not an item' '$T/err'"

run as $SME env EDITOR="$T/ed.sh" setsid "$ACCORD" guideline "$DB" edit </dev/null
ok_if "no terminal and no --reason: error before editing" sh -c "[ $RC -eq 1 ] && grep -q 'give --reason' '$T/err'"

# The reason asked on the terminal (script(1) gives the command a TTY).
if command -v script >/dev/null 2>&1; then
	cat >"$T/ed2.sh" <<'EOF'
#!/bin/sh
sed -i 's/^A soft, roughly round patch/A soft, round patch/' "$1"
EOF
	chmod 755 "$T/ed2.sh"
	printf 'dents are round\n' | as $SME env EDITOR="$T/ed2.sh" script -qec "$ACCORD guideline $DB edit" /dev/null >"$T/out" 2>&1
	ok_if "the reason is asked on the terminal" sql_is "SELECT reason FROM guidelines WHERE version = 3" "dents are round"
else
	skip "the reason is asked on the terminal" \
		"needs script(1), which is not installed"
fi

run "$ACCORD" guideline "$DB" log
ok_if "log lists versions with author and reason" sh -c "grep -q '^v1 .*root.*initial definitions' '$T/out' && grep -q '^v2 .*$SME.*unsure is rarer' '$T/out'"

run "$ACCORD" guideline "$DB" diff 1 2
for v in 1 2; do
	/usr/bin/python3 -c "import sqlite3, sys; sys.stdout.write(sqlite3.connect(sys.argv[1]).execute('SELECT text FROM guidelines WHERE version = $v').fetchone()[0])" "$DB" >"$T/v$v.txt"
done
diff -u "$T/v1.txt" "$T/v2.txt" | tail -n +3 >"$T/ref.diff"
tail -n +3 "$T/out" >"$T/our.diff"
ok_if "diff prints the hunks diff -u prints" sh -c "[ $RC -eq 0 ] && head -1 '$T/out' | grep -q '^--- guideline v1' && cmp -s '$T/ref.diff' '$T/our.diff'"
run "$ACCORD" guideline "$DB" show --version 1
ok_if "show --version 1" sh -c "grep -q '^guideline v1 ' '$T/out' && grep -q 'You cannot decide' '$T/out'"
run "$ACCORD" guideline "$DB" diff 1
ok_if "diff wants two versions (usage)" rc_is 2
run "$ACCORD" guideline "$DB" show --version 9
ok_if "an unknown version: one line" sh -c "[ $RC -eq 1 ] && grep -q 'no guideline version 9' '$T/err'"

# --- gold --------------------------------------------------------------
sha=$(sql "SELECT substr(sha256, 1, 10) FROM items WHERE id = 3")
run as $LAB "$ACCORD" gold "$DB" add 1 dent
ok_if "a labeler may not add gold (audited)" sh -c "[ $RC -eq 1 ] && [ \$(sqlite3 '$DB' \"SELECT count(*) FROM audit WHERE user = '$LAB' AND detail LIKE 'changing gold%'\") -eq 1 ]"
run as $LAB "$ACCORD" gold "$DB" list
ok_if "a labeler may not list gold answers" rc_is 1
run as $SME "$ACCORD" gold "$DB" add 1 dent
ok_if "gold add by id" sh -c "[ $RC -eq 0 ] && grep -q 'item 1 is gold: dent' '$T/out'"
run as $SME "$ACCORD" gold "$DB" add "$sha" ok
ok_if "gold add by sha256 prefix" grep -q 'item 3 is gold: ok' "$T/out"
run as $SME "$ACCORD" gold "$DB" add "$S/images/img_002.jpg" scratch
ok_if "gold add by path" grep -q 'item 2 is gold: scratch' "$T/out"
run as $SME "$ACCORD" gold "$DB" add 4 nosuch
ok_if "an unknown class: one line" sh -c "[ $RC -eq 1 ] && grep -q \"no class 'nosuch'\" '$T/err'"
run as $SME "$ACCORD" gold "$DB" remove 2
run as $SME "$ACCORD" gold "$DB" list
ok_if "remove adds a row without class; list shows the rest" sh -c "[ \$(wc -l <'$T/out') -eq 2 ] && grep -q '^1	dent	' '$T/out' && [ \$(sqlite3 '$DB' 'SELECT count(*) FROM gold WHERE class IS NULL') -eq 1 ]"

# agree reports each labeler's accuracy on gold items.
{
	echo file,labeler,class
	for r in 1:ann:dent 3:ann:scratch 4:ann:ok 1:ben:dent 3:ben:ok 4:ben:ok; do
		n=${r%%:*} rest=${r#*:}
		echo "$S/images/img_00$n.jpg,${rest%%:*},${rest#*:}"
	done
} >"$T/labels.csv"
run "$ACCORD" labels import "$DB" "$T/labels.csv"
ok_if "labels imported" rc_is 0
run "$ACCORD" agree "$DB" --json --bootstrap 0
ok_if "agree: gold accuracy per labeler (ann 1/2, ben 2/2)" /usr/bin/python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
l = {x['name']: x for x in d['results'][0]['overall']['labelers']}
assert l['ann']['gold_items'] == 2 and abs(l['ann']['gold_accuracy']['value'] - 0.5) < 1e-12, l['ann']
assert l['ben']['gold_items'] == 2 and l['ben']['gold_accuracy']['value'] == 1, l['ben']
" "$T/out"

# --- config ------------------------------------------------------------
run as $LAB "$ACCORD" config "$DB"
ok_if "any member lists settings" sh -c "[ $RC -eq 0 ] && grep -q '^gold-rate  0.1' '$T/out' && grep -q '^gold-seed  1	(default)' '$T/out'"
run as $SME "$ACCORD" config "$DB" gold-rate 0.3
ok_if "only an admin sets (audited)" sh -c "[ $RC -eq 1 ] && [ \$(sqlite3 '$DB' \"SELECT count(*) FROM audit WHERE user = '$SME' AND detail LIKE 'changing settings%'\") -eq 1 ]"
run "$ACCORD" config "$DB" gold-rate 25%
ok_if "admin sets gold-rate" sh -c "[ $RC -eq 0 ] && grep -q 'gold-rate = 0.25' '$T/out'"
run "$ACCORD" config "$DB" gold-rate
ok_if "config KEY prints the value" sh -c "[ \"\$(cat '$T/out')\" = 0.25 ]"
ok_if "the old value stays in the history" sql_is "SELECT group_concat(value, ',') FROM settings WHERE key = 'gold-rate' ORDER BY id" "0.1,0.25"
run "$ACCORD" config "$DB" ordinal 1
ok_if "fixed settings are refused" sh -c "[ $RC -eq 1 ] && grep -q 'fixed' '$T/err'"
run "$ACCORD" config "$DB" gold-rate 0.1 extra
ok_if "too many arguments (usage)" rc_is 2
