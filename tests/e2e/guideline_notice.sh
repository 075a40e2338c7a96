# The label screen and guideline versions, in a real terminal as real OS
# users: the one-line notice when the guideline changed since the
# labeler's last session, and `g` picking up a version saved meanwhile.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/e2e/tmux.lib"

need_commands tmux runuser sqlite3
LAB=$(test_user l1)
SME=$(test_user sme)
ensure_user $LAB $SME || skip_all "the screens run as real OS users: $WHY"
trap 'tm_stop; lib_cleanup' EXIT
export LC_ALL=C.UTF-8
chmod 777 "$T"
DB=$T/g.accord
S=$ROOT/assets/demo
"$ACCORD" init "$DB" --task "notice" --media image --classes ok,scratch,dent \
	--gold-rate 0 >/dev/null &&
	"$ACCORD" config "$DB" show-paths full >/dev/null &&
	"$ACCORD" import "$DB" "$S/images/img_001.jpg" "$S/images/img_002.jpg" \
	"$S/images/img_003.jpg" >/dev/null 2>&1 &&
	"$ACCORD" member "$DB" add $LAB >/dev/null &&
	"$ACCORD" member "$DB" add $SME --role sme >/dev/null &&
	chmod 666 "$DB"* || { fail "project"; exit 1; }

echo ok | as $LAB "$ACCORD" label "$DB" --script - >/dev/null
printf '## ok\nNo mark at all, v2.\n' >"$T/v2.md"
run as $SME "$ACCORD" guideline "$DB" edit --file "$T/v2.md" --reason "ok is stricter"
ok_if "v2 saved" rc_is 0
chmod 666 "$DB"*

tm_start n $LAB -- label "$DB"
ok_if "the screen tells of the new guideline at start" \
	tm_wait n "the guideline changed since your last session: v1 -> v2"
ok_if "the status bar shows v2" tm_wait n "| guideline v2 |"

# An SME saves v3 while the labeler works; g shows v3 and says so.
printf '## ok\nNo mark at all, v3.\n' >"$T/v3.md"
run as $SME "$ACCORD" guideline "$DB" edit --file "$T/v3.md" --reason "v3"
tm send-keys -t n g
ok_if "g shows the version saved during the session" tm_wait n "guideline v3  ("
ok_if "g shows v3's text" tm_wait n "No mark at all, v3."
ok_if "and says it is now in force" tm_wait n "guideline v3 is now in force"
tm send-keys -t n x
tm send-keys -t n 1
ok_if "the next label is recorded under v3" tm_until n sh -c \
	"[ \$(sqlite3 '$DB' \"SELECT count(*) FROM labels WHERE labeler = '$LAB' AND guideline = 3\") -eq 1 ]"
tm send-keys -t n q
tm_exited n
ok_if "the screen exits 0" sh -c "[ '$TM_RC' = 0 ]"

# An undo after a relabel takes the label out of every version: item 1,
# labeled ok under v1, is sent back under v3, relabeled scratch in the
# screen and undone; the v1 label must not count for v1 again (issue 16:
# it was kept for its version and came back in `agree --guideline 1`).
v1_labels() {
	"$ACCORD" agree "$DB" --guideline "$1" --json --bootstrap 0 |
	    python3 -c 'import json, sys; print(json.load(sys.stdin)["results"][0]["overall"]["labels"])'
}
run as $SME "$ACCORD" adjudicate "$DB" 1 --relabel --note "v3 is stricter"
ok_if "item 1 is sent back under v3" rc_is 0
chmod 666 "$DB"*
check "before: v1 holds the ok on item 1" 1 "$(v1_labels 1)"
tm_start r $LAB -- label "$DB"
ok_if "the sent-back item comes first" tm_wait r "img_001"
tm send-keys -t r 2
ok_if "the relabel is recorded under v3" tm_until r sh -c \
	"[ \$(sqlite3 '$DB' \"SELECT count(*) FROM labels WHERE labeler = '$LAB' AND item = 1 AND guideline = 3 AND class IS NOT NULL\") -eq 1 ]"
tm send-keys -t r u
ok_if "u withdraws it" tm_until r sh -c \
	"[ \$(sqlite3 '$DB' \"SELECT count(*) FROM labels WHERE labeler = '$LAB' AND item = 1 AND class IS NULL\") -eq 1 ]"
tm send-keys -t r q
tm_exited r
check "the screen exits 0 after the undo" 0 "$TM_RC"
check "after: the undone label no longer counts for v1" 0 "$(v1_labels 1)"
check "and v3 keeps only item 2's label" 1 "$(v1_labels 3)"
