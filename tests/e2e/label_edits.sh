# The label screen keeps what a labeler typed, in whatever order: a note
# then tags, tags then a note, both are saved with the label; the item's
# timer runs from its first display to the label, through the help and
# guideline overlays and both edits; and the status line's "left" follows
# an admin's overlap change at once (issue 17).  A real OS user in a
# private tmux server (tests/e2e/tmux.lib), checked in the store.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/e2e/tmux.lib"

need_commands tmux runuser sqlite3
L1=$(test_user ed)
ensure_user $L1 || skip_all "the screen runs as a real OS user: $WHY"
trap 'tm_stop; lib_cleanup' EXIT
export LC_ALL=C.UTF-8
chmod 777 "$T"

DB=$T/p.accord
tm_demo_project "$DB" "e2e edits" $L1
q1() { sqlite3 -batch -noheader "$DB" "$1"; }
item_of() {
	q1 "SELECT coalesce((SELECT id FROM items WHERE path =
	    '$(printf %s "$1" | sed "s/'/''/g")'), 0)"
}
has_item() { [ -n "$(tm_path "$1")" ]; }

tm_start a $L1 -- label "$DB"
if tm_wait a "classes (key: label)" && tm_until a has_item a; then
	pass "label starts and shows an item"
else
	fail "label starts and shows an item" "$(head -c 300 "$T/a.err")"
fi

# edit KEY PROMPT TEXT SAID: open the line editor, type, Enter, wait for
# the status line to say SAID.
edit() {
	tm send-keys -t a "$1"
	tm send-keys -t a -l "$3"
	tm_wait a "$2: $3" && tm send-keys -t a Enter && tm_wait a "$4"
}

# 1. A note, the help overlay, tags, the guideline overlay, then the label.
p=$(tm_path a)
start=$(date +%s.%N)
edit n note "first the note" "note kept"
tm send-keys -t a '?'
tm_wait a "keys (any key closes)"
sleep 1
tm send-keys -t a Escape
tm_gone a "keys (any key closes)"
edit t tags "dust, glare" "tags saved"
tm send-keys -t a g
sleep 1
tm send-keys -t a Escape
sleep 0.3
tm_next a 1
took=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
check "note then tags: the note is saved with the label" "first the note" \
	"$(q1 "SELECT note FROM current_labels WHERE labeler = '$L1' AND item = $(item_of "$p")")"
check "note then tags: the tags are saved" "dust,glare" \
	"$(q1 "SELECT group_concat(tag, ',') FROM (SELECT tag FROM tags
	    WHERE user = '$L1' AND item = $(item_of "$p") AND removed = 0 ORDER BY tag)")"
secs=$(q1 "SELECT seconds_spent FROM current_labels WHERE labeler = '$L1' AND item = $(item_of "$p")")
check "the timer ran through both overlays and both edits (>= 2 s, <= the wall time)" yes \
	"$(awk -v s="$secs" -v t="$took" 'BEGIN { print (s >= 2 && s <= t + 0.5) ? "yes" : "no: " s " s of " t }')"

# 2. Tags first, then the note.
p=$(tm_path a)
edit t tags "blurry" "tags saved"
edit n note "then the note" "note kept"
tm_next a 2
check "tags then note: the note is saved with the label" "then the note" \
	"$(q1 "SELECT note FROM current_labels WHERE labeler = '$L1' AND item = $(item_of "$p")")"
check "tags then note: the tags are saved" "blurry" \
	"$(q1 "SELECT group_concat(tag, ',') FROM tags WHERE user = '$L1'
	    AND item = $(item_of "$p") AND removed = 0")"

# 3. Note, tags, and the note edited again: the last note wins, tags stay.
p=$(tm_path a)
edit n note "draft" "note kept"
edit t tags "glare" "tags saved"
tm send-keys -t a n
tm send-keys -t a C-u
tm send-keys -t a -l "final"
tm_wait a "note: final" && tm send-keys -t a Enter && tm_wait a "note kept"
tm_next a 1
check "note, tags, note again: the last note is saved" "final" \
	"$(q1 "SELECT note FROM current_labels WHERE labeler = '$L1' AND item = $(item_of "$p")")"
check "and the tags stay" "glare" \
	"$(q1 "SELECT group_concat(tag, ',') FROM tags WHERE user = '$L1'
	    AND item = $(item_of "$p") AND removed = 0")"

# 4. The status line's "left" follows a change of the overlap made by an
# admin while the screen is open, with no key pressed: another labeler
# (ghost) has labeled the last 20 items; at overlap 1 they are done.
left() { tm_line a 0 | sed -n 's/.* \([0-9][0-9]*\) left .*/\1/p'; }
sleep 2.5	# the counts after the last label, read again by now
before=$(left)
{ echo file,labeler,class
  q1 "SELECT path FROM items ORDER BY id DESC LIMIT 20" | sed 's/$/,ghost,ok/'; } >"$T/ghost.csv"
"$ACCORD" labels import "$DB" "$T/ghost.csv" >/dev/null &&
	"$ACCORD" config "$DB" overlap 1 >/dev/null || fail "ghost labels and overlap 1"
left_is() { [ "$(left)" = "$1" ]; }
tm_until a left_is $((before - 20))
check "after config overlap 1, 'left' drops by the 20 items the other labeler has, without a key" \
	"$((before - 20))" "$(left)"

tm send-keys -t a q
tm_exited a
reports=$(grep -l -E 'Sanitizer|runtime error' "$T"/*.err 2>/dev/null | tr '\n' ' ')
check "no sanitizer report" "" "$reports"
