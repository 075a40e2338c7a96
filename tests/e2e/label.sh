# accord label end to end: the real (sanitized) binary in a real terminal
# (a private tmux server, tests/e2e/tmux.lib), driven by keys as real OS
# users, checked on the screen (capture-pane) and in the store.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/e2e/tmux.lib"

need_commands tmux python3 convert runuser sqlite3
L1=$(test_user l1)
L2=$(test_user l2)
OUT=$(test_user out)
ensure_user $L1 $L2 $OUT || skip_all "the screens run as real OS users: $WHY"
# The fake audio player (scenario 14) must not outlive a failed test.
trap 'tm_stop; [ -s "$T/play.pid" ] && kill "$(cat "$T/play.pid")" 2>/dev/null
lib_cleanup' EXIT
export LC_ALL=C.UTF-8
chmod 777 "$T"

# Sessions are 120x40: the media pane is columns 0..91, rows 2..37; the
# panel's rule is column 92 (COLS - 28), its text starts at column 93.
PANE_X1=92
ESC=$(printf '\033')

# --- helpers ----------------------------------------------------------------

# project NAME MEDIA [init options]: a store $T/NAME.accord made by root
# (its admin) with $L1 and $L2 as labelers, writable by them, showing
# paths in full (the checks read them off row 1: tm_path).
project() {
	_db=$T/$1.accord
	_m=$2
	shift 2
	"$ACCORD" init "$_db" --task "e2e $_m" --media "$_m" "$@" >/dev/null &&
	    "$ACCORD" config "$_db" show-paths full >/dev/null &&
	    chmod 666 "$_db" &&
	    "$ACCORD" member "$_db" add $L1 >/dev/null &&
	    "$ACCORD" member "$_db" add $L2 >/dev/null
}
q1() { sqlite3 -batch -noheader "$DB" "$1"; }
# the id of the item at PATH in $DB, 0 if none
item_of() {
	q1 "SELECT coalesce((SELECT id FROM items WHERE path =
	    '$(printf %s "$1" | sed "s/'/''/g")'), 0)"
}
count_rows() { q1 "SELECT count(*) FROM labels WHERE labeler = '$1'"; }
# want_path PATH: PATH as an expected value; a path that was never shown
# (the screen failed) must not make "same path as before" checks pass.
want_path() { echo "${1:-<no item was shown>}"; }
bytes_hex() { printf %s "$1" | od -An -tx1 | tr -d ' \n' | tr a-f A-F; }

# started NAME CHECK: pass when session NAME shows the label screen with an
# item; else say what it shows and what it printed on stderr.
has_item() { [ -n "$(tm_path "$1")" ]; }
started() {
	if tm_wait "$1" "classes (key: label)" && tm_until "$1" has_item "$1"
	then
		pass "$2"
	else
		fail "$2" "screen: $(tm_screen "$1" | grep -v '^ *$' | head -n 3 |
		    tr '\n' '|') err: $(head -c 300 "$T/$1.err" | tr '\n' '|')"
	fi
}
# quit_says NAME CHECK TEXT: q; pass when it exits 0 and TEXT is on screen
quit_says() {
	tm send-keys -t "$1" q
	if tm_exited "$1" && [ "$TM_RC" = 0 ] && tm_wait "$1" "$3" 2; then
		pass "$2"
	else
		fail "$2" "rc=${TM_RC:-still running} screen: $(tm_screen "$1" |
		    grep -v '^ *$' | tail -n 2 | tr '\n' '|')"
	fi
}

# Screen readers for check_screen and tm_until.
path_is() { [ "$(tm_path "$1")" = "$2" ]; }
line_starts() { tm_line "$1" "$2" | grep -q "^$3"; }
status_has() { tm_line "$1" 0 | grep -cF -- "$2"; }
panel() { tm_cols "$1" 93 120; }
panel_has() { panel "$1" | grep -F -- "$2" >/dev/null; }
# the panel line under "note:" or "tags:"
panel_after() { panel "$1" | grep -A1 "^$2:" | sed -n 2p | sed 's/ *$//'; }
# the cells (tm_cells lines) of the media pane
pane_cells() {
	tm_cells "$1" | awk -v x1=$PANE_X1 '$1 >= 2 && $1 <= 37 && $2 < x1'
}
# highlighted NAME: per class in panel order, r if the class's cells are
# all reverse video, - if not: "-r--" when the second is selected.
highlighted() {
	tm_cells "$1" | awk '$1 >= 3 && $1 <= 6 && $2 >= 93 && $2 < 100 {
	    n[$1]++; if ($6 ~ /r/) r[$1]++ }
	    END { for (y = 3; y <= 6; y++)
		printf "%s", (n[y] && r[y] == n[y]) ? "r" : "-"; print "" }'
}
# image_box NAME X1 Y1: the image's bounding box in rows 2..Y1 left of
# column X1 as "WIDTH HEIGHT RIGHTMOST-COLUMN"
image_box() {
	tm_cells "$1" | awk -v x1="$2" -v y1="$3" '
	    $1 >= 2 && $1 <= y1 && $2 < x1 && ($3 != "0020" || $5 != "def") {
		if (!n++) { l = r = $2; t = b = $1 }
		if ($2 < l) l = $2; if ($2 > r) r = $2
		if ($1 < t) t = $1; if ($1 > b) b = $1 }
	    END { print r - l + 1, b - t + 1, r }'
}
# half_blocks NAME c16|c256: "yes" when the media pane has over 1000
# cells of two pixels (tm_pixels) both in colours of that kind, else how
# many it has
half_blocks() {
	tm_pixels "$1" | awk -v k="$2" -v x1=$PANE_X1 '$1 >= 2 && $1 <= 37 &&
	    $2 < x1 && index($3, k ":") == 1 && index($4, k ":") == 1 { n++ }
	    END { print (n > 1000 ? "yes" : n + 0) }'
}
image_width() { image_box "$@" | cut -d' ' -f1; }
fits_100x30() {
	image_box "$1" 72 27 | awk '{ print ($3 < 72 && $1 <= 71 && $2 <= 26 &&
	    ($1 >= 65 || $2 >= 24)) ? "fits" : "box " $0 }'
}

# --- scenarios 1-10: one labeler's session on an image project --------------
project main image --classes ok,scratch,dent --borderline unsure &&
    "$ACCORD" import "$T/main.accord" "$ROOT/assets/demo/images" \
    --meta "$ROOT/assets/demo/images.csv" >/dev/null
DB=$T/main.accord
ok_if "set-up: image project with 60 demo images" sql_is \
	"SELECT count(*) FROM items" 60

tm_start a $L1 -- label "$DB"
started a "label starts for a real OS user and shows an item"
check_screen "the status bar names the OS user and guideline v1" 1 \
	status_has a " $L1 | guideline v1 "

check_screen "in tmux-256color the image is half blocks in 256 colours" yes \
	half_blocks a c256

# 1. Ten items labeled by class keys.
want="" moved=0
for k in 1 2 3 1 2 3 1 2 3 1; do
	case $k in 1) c=ok ;; 2) c=scratch ;; 3) c=dent ;; esac
	want="$want$(tm_path a)|$c "
	tm_next a "$k" && moved=$((moved + 1))
done
check "ten class keys move through ten items" 10 "$moved"
check "each item shown got the class of the key pressed on it" "$want" \
	"$(q1 "SELECT i.path || '|' || c.name FROM labels l
	    JOIN items i ON i.id = l.item JOIN classes c ON c.id = l.class
	    WHERE l.labeler = '$L1' ORDER BY l.id" | tr '\n' ' ')"
check "ten rows of the OS user: origin screen, guideline 1, seconds_spent > 0" \
	10 "$(q1 "SELECT count(DISTINCT item) FROM labels WHERE labeler = '$L1'
	    AND recorded_by = '$L1' AND origin = 'screen' AND guideline = 1
	    AND seconds_spent > 0 AND supersedes IS NULL")"

# 2. Borderline.
p=$(tm_path a)
tm_next a b
check "b labels with the borderline class" "unsure|1" \
	"$(q1 "SELECT c.name || '|' || c.is_borderline FROM current_labels l
	    JOIN classes c ON c.id = l.class
	    WHERE l.labeler = '$L1' AND l.item = $(item_of "$p")")"

# 3. A note in non-ASCII text goes with the label, byte for byte.
NOTE='légère rayure, près du bord'
p=$(tm_path a)
tm send-keys -t a n
tm send-keys -t a -l "$NOTE"
ok_if "n opens a note line that echoes non-ASCII text" tm_wait a "note: $NOTE"
tm send-keys -t a Enter
tm_wait a "note kept"
ok_if "the note shows in the panel before labeling" \
	tm_until a panel_has a "légère rayure, près"
tm_next a 2
check "the note is stored byte-exact with the label" "$(bytes_hex "$NOTE")" \
	"$(q1 "SELECT hex(note) FROM current_labels WHERE labeler = '$L1'
	    AND item = $(item_of "$p")")"
check_screen "the note does not carry over to the next item" "-" \
	panel_after a note

# 4. Tags, and Tab completing a known tag.
p=$(tm_path a)
tm send-keys -t a t
tm send-keys -t a -l "blurry, glare"
tm_wait a "tags: blurry, glare"
tm send-keys -t a Enter
tm_wait a "tags saved"
check "t saves the tags on the item" "blurry,glare" \
	"$(q1 "SELECT group_concat(tag, ',') FROM (SELECT tag FROM tags
	    WHERE user = '$L1' AND item = $(item_of "$p") AND removed = 0
	    ORDER BY tag)")"
check_screen "the panel shows the item's tags" "blurry, glare" panel_after a tags
tm_next a 3
p=$(tm_path a)
tm send-keys -t a t
tm send-keys -t a -l bl
tm_wait a "tags: bl"
tm send-keys -t a Tab
ok_if "on a later item, t then bl and Tab completes to blurry" \
	tm_wait a "tags: blurry"
tm send-keys -t a Enter
tm_wait a "tags saved"
check "the completed tag is saved on that item" "blurry" \
	"$(q1 "SELECT group_concat(tag, ',') FROM tags WHERE user = '$L1'
	    AND item = $(item_of "$p") AND removed = 0")"

# 5. Undo: a withdrawing row, the item comes back, labeling it again adds
# a row, then the item I was on returns.
q=$p
tm_next a 1
r=$(tm_path a)
n0=$(count_rows $L1)
tm send-keys -t a u
tm_until a path_is a "$q"
check "u shows the item I labeled last again" "$(want_path "$q")" "$(tm_path a)"
check "undo adds a row with class NULL superseding my label" "ok/new NULL/prev" \
	"$(rows_of "$q" $L1)"
check "undo deletes nothing (one row more) and leaves no label in force" \
	"$((n0 + 1))|0" "$(count_rows $L1)|$(q1 "SELECT count(*) FROM
	    current_labels WHERE labeler = '$L1' AND item = $(item_of "$q")")"
tm_next a 2
check "labeling the undone item again adds a row" \
	"ok/new NULL/prev scratch/prev" "$(rows_of "$q" $L1)"
check "then the screen returns to the item I was on" "$(want_path "$r")" \
	"$(tm_path a)"

# 6. Back and change.
tm send-keys -t a p
tm_until a path_is a "$q"
check_screen "p shows my previous item with BACK in the status bar" 1 \
	status_has a "BACK"
check_screen "back on it, my class (scratch) is the one highlighted" "-r--" \
	highlighted a
tm_next a 3
check "another class key there adds a superseding row with that class" \
	"ok/new NULL/prev scratch/prev dent/prev" "$(rows_of "$q" $L1)"
check "then the screen returns to the queue item" "$(want_path "$r")" \
	"$(tm_path a)"
check_screen "and BACK is gone from the status bar" "1|0" \
	eval 'echo "$(status_has a " accord |")|$(status_has a BACK)"'
n0=$(count_rows $L1)
tm send-keys -t a BSpace
tm_until a path_is a "$q"
check "Backspace goes back too" "$(want_path "$q")" "$(tm_path a)"
check_screen "and shows the changed class (dent) highlighted" "--r-" \
	highlighted a
tm_next a s
check "s while back returns to the queue item and labels nothing" \
	"$(want_path "$r")|$n0" \
	"$(tm_path a)|$(count_rows $L1)"

# 7. Skip (and see the two-item project below).
skipped=$(tm_path a)
tm_next a s
seen=""
for k in 1 2 3; do
	seen="$seen $(tm_path a)"
	tm_next a "$k"
done
check "s moves on without a label, and the item does not come back" \
	"$(want_path "$skipped")||0" "$skipped|$(rows_of "$skipped" $L1)|$(echo \
	    "$seen" | tr ' ' '\n' | grep -cxF -- "$skipped")"

# 8. Help overlay: every key listed; any key closes it and does nothing else.
# help_missing NAME: the "KEY|what" pairs not on an overlay line (key in
# the overlay's columns 6-17, what it does after).
help_missing() {
	tm_cols "$1" 6 120 | awk '
	BEGIN {
		n = split("1|label as ok,2|label as scratch,3|label as dent," \
		    "b|label as unsure,n|note,t|tags,u|undo,s|skip," \
		    "p Backspace|back,space|play,+ - !|zoom,z|fit,[ ] { } ( )|brightness," \
		    "arrows hjkl|pan,g|guideline,?|help,^L|redraw,q|quit", want, ",")
	}
	{
		k = substr($0, 1, 12)
		sub(/ +$/, "", k)
		for (i = 1; i <= n; i++) {
			split(want[i], kv, "|")
			if (k == kv[1] && index(substr($0, 13), kv[2]))
				found[i] = 1
		}
	}
	END { for (i = 1; i <= n; i++) if (!found[i]) printf "%s ", want[i] }'
}
p=$(tm_path a)
n0=$(count_rows $L1)
tm send-keys -t a '?'
tm_wait a "keys (any key closes)"
check_screen "? lists every key with what it does" "" help_missing a
# box_cells NAME: picture cells (tm_pixels: two pixels, not both the
# default background) inside the help box, which spans columns 4..115 and
# rows 2..37 at 120x40
box_cells() {
	tm_pixels "$1" | awk '$1 >= 2 && $1 <= 37 && $2 >= 4 && $2 < 116 &&
	    $3 !~ /^ch:/ && ($3 != "def" || $4 != "def")' | wc -l
}
check_screen "the help box hides the picture under it" 0 box_cells a
tm send-keys -t a 1
tm_gone a "keys (any key closes)"
check "any key (here 1) closes the help, labeling nothing" \
	"0|$(want_path "$p")|$n0" \
	"$(tm_screen a | grep -c 'any key closes')|$(tm_path a)|$(count_rows $L1)"

# 10. Resize: redrawn at once, the layout follows the size.  Shrinking
# keeps some old rows in the pane, so what proves a redraw is the panel's
# rule in its new column (COLS - 28).
# layout NAME COLS ROWS: "STATUS|RULE|KEYS": the status bar on row 0, the
# rule on row 3, the key line on the last row
layout() {
	echo "$(status_has "$1" ' accord |')|$(tm_cols "$1" $(($2 - 28)) \
	    $(($2 - 27)) | sed -n 4p)|$(tm_line "$1" $(($3 - 1)) | grep -c '^keys:')"
}
p=$(tm_path a)
check_screen "at 120x40 the image spans the media pane's width (91)" 91 \
	image_width a 92 37
tm resize-window -t a -x 100 -y 30
check_screen "resized to 100x30: redrawn at once with the rule at column 72" \
	"1|│|1" layout a 100 30
check_screen "resized to 100x30: the image is redrawn to fit the smaller pane" \
	fits fits_100x30 a
tm resize-window -t a -x 70 -y 20
ok_if "below 80x24 the screen says it needs at least 80x24" \
	tm_wait a "needs a terminal of at least 80x24"
tm resize-window -t a -x 80 -y 24
check_screen "at exactly 80x24 the screen is back" "1|│|1" layout a 80 24
tm resize-window -t a -x 120 -y 40
check_screen "growing back to 120x40 restores the layout" "1|│|1" \
	layout a 120 40
check "and shows the same item" "$(want_path "$p")" "$(tm_path a)"
check_screen "and the image at full width again" 91 image_width a 92 37
# A resize while the note line is open is a redraw too: the screen takes
# the new layout and the line being typed moves to the new last row.
note_layout() {
	echo "$(layout a 100 30 | cut -d'|' -f1-2)|$(tm_line a 29 | sed 's/ *$//')"
}
# panel_stale NAME X0: picture cells (as box_cells) right of the panel's
# rule, below the status rows
panel_stale() {
	tm_pixels "$1" | awk -v x0="$2" '$1 >= 2 && $2 > x0 && $3 !~ /^ch:/ &&
	    ($3 != "def" || $4 != "def")' | wc -l
}
tm send-keys -t a n
tm send-keys -t a -l abc
tm_wait a "note: abc"
tm resize-window -t a -x 100 -y 30
check_screen "resized while typing a note: status bar, rule at 72, note line on row 29" \
	"1|│|note: abc" note_layout
tm send-keys -t a Escape
tm_gone a "note: abc"
check_screen "Escape closes the note line leaving a whole screen: no image cells in the panel" \
	"1|│|1|0" eval 'echo "$(layout a 100 30)|$(panel_stale a 72)"'
tm resize-window -t a -x 120 -y 40
check_screen "and back at 120x40 the layout is whole" "1|│|1|0" \
	eval 'echo "$(layout a 120 40)|$(panel_stale a 92)"'

# 9. Quit and resume.
n=$(q1 "SELECT count(*) FROM labels WHERE labeler = '$L1' AND class IS NOT NULL")
quit_says a "q quits and prints how many labels were saved ($n)" \
	"$n labels saved"
tm_start a2 $L1 -- label "$DB"
started a2 "label starts again for the same user"
again="" moved=0
for k in 1 2 3; do
	p=$(tm_path a2)
	[ "$(q1 "SELECT count(*) FROM labels WHERE labeler = '$L1'
	    AND item = $(item_of "$p")")" = 0 ] || again="$again $p"
	tm_next a2 "$k" && moved=$((moved + 1))
done
check "after a restart only items I have not labeled are shown" "3|" \
	"$moved|$again"
quit_says a2 "the second session saved 3 labels" "3 labels saved"
check "no item was labeled twice by one user from the queue ($((n + 3)) labels)" \
	"0|$((n + 3))" "$(q1 "SELECT count(*) FROM (SELECT item FROM labels
	    WHERE supersedes IS NULL GROUP BY item, labeler HAVING count(*) > 1)
	    ")|$(q1 "SELECT count(*) FROM labels WHERE labeler = '$L1'
	    AND class IS NOT NULL")"

# 15. A non-member is refused before the screen starts.
tm_start out $OUT -- label "$DB"
tm_exited out
check "a non-member's accord label exits 1" 1 "$TM_RC"
check "with one line naming them as not a member" "1|1" \
	"$(wc -l <"$T/out.err")|$(grep -c "$OUT is not a member" "$T/out.err")"
check "and writes nothing to the terminal (no screen)" 0 \
	"$(sed 's/\[exit [0-9]*\]//' "$T/out.raw" | tr -d '\r\n' | wc -c)"
check "the refusal is audited under the real OS user" 1 \
	"$(q1 "SELECT count(*) FROM audit WHERE user = '$OUT' AND action = 'refused'")"

# 11. Colour modes; each still labels an item ($L2, same project).
label_one() {
	_n0=$(count_rows $L2)
	tm_next "$1" 1
	check "$2: a class key still labels" "$((_n0 + 1))" "$(count_rows $L2)"
	quit_says "$1" "$2: q quits cleanly" "1 label saved"
}
# coloured NAME: image-area cells with a colour; drawn NAME: with a mark
coloured() {
	echo "$(drawn "$1")|$(pane_cells "$1" | awk '$4 != "def" || $5 != "def"' |
	    wc -l)"
}
drawn() {
	pane_cells "$1" | awk '$3 != "0020" { n++ }
	    END { print (n > 1000 ? "yes" : n + 0) }'
}
more_than_16() {
	echo "$(half_blocks "$1" c16)|$(tm_cells "$1" |
	    awk '$4 ~ /^(rgb|c256)/ || $5 ~ /^(rgb|c256)/' | wc -l)"
}
ramp_not_blocks() {
	pane_cells "$1" | awk '$3 ~ /^00(2e|3a|2d|3d|2b|2a|23|25|40)$/ { n++ }
	    $3 ~ /^25(80|84|88)$/ { b++ }
	    END { print (n > 1000 ? "yes" : n + 0) "|" b + 0 }'
}
any_colour() {
	echo "$(ramp_not_blocks "$1" | cut -d'|' -f1)|$(tm_cells "$1" |
	    awk '$4 != "def" || $5 != "def"' | wc -l)"
}

tm_start c1 $L2 NO_COLOR=1 -- label "$DB"
started c1 "NO_COLOR=1: the screen starts"
check_screen "NO_COLOR=1: the image is drawn with characters" yes drawn c1
check_screen "NO_COLOR=1: no colour in the image area" "yes|0" coloured c1
label_one c1 "NO_COLOR=1"

tm_start c2 $L2 TERM=xterm -- label "$DB"
started c2 "TERM=xterm: the screen starts"
check_screen "TERM=xterm: the image is half blocks in ANSI colours" yes \
	half_blocks c2 c16
check_screen "TERM=xterm: no 256-colour or RGB cell anywhere" "yes|0" \
	more_than_16 c2
label_one c2 "TERM=xterm"
check "TERM=xterm: half blocks sent, and never a 256-colour or RGB sequence" \
	"yes|0" \
	"$(grep -q '▀' "$T/c2.raw" && echo yes)|$(grep -c '[34]8;[25];' "$T/c2.raw")"

tm_start c3 $L2 TERM=vt100 -- label "$DB"
started c3 "TERM=vt100: the screen starts"
check_screen "TERM=vt100: the image is the ASCII ramp, no half blocks" "yes|0" \
	ramp_not_blocks c3
check_screen "TERM=vt100: no colour anywhere on the screen" "yes|0" any_colour c3
label_one c3 "TERM=vt100"

# 7, again: of two items, skip one and label the other: nothing is left.
mkdir "$T/few"
convert -size 64x32 xc:gray40 "PNG24:$T/few/a.png" &&
    convert -size 64x32 xc:gray70 "PNG24:$T/few/b.png"
project few image --classes ok,bad &&
    "$ACCORD" import "$T/few.accord" "$T/few" >/dev/null
DB=$T/few.accord
tm_start f $L2 -- label "$DB"
started f "two-item project: the screen starts"
skipped=$(tm_path f)
tm_next f s
tm_next f 1
check_screen "skip one of two, label the other: nothing left for me" 1 \
	eval 'tm_screen f | grep -c "Nothing left"'
check "the skipped item has no label; the other one has" \
	"$(want_path "$skipped")|0|1" "$skipped|$(q1 "SELECT count(*) FROM labels
	    WHERE item = $(item_of "$skipped")")|$(count_rows $L2)"
quit_says f "two-item project: q quits" "1 label saved"

# 12. Two labelers at once on an overlap-1 project.
project shared image --classes ok,scratch,dent --borderline unsure \
    --overlap 1 &&
    "$ACCORD" import "$T/shared.accord" "$ROOT/assets/demo/images" >/dev/null
DB=$T/shared.accord
tm_start w1 $L1 -- label "$DB"
tm_start w2 $L2 -- label "$DB"
started w1 "overlap 1: the first labeler's screen starts"
started w2 "overlap 1: the second labeler's screen starts at the same time"
m1=0 m2=0 same=0
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
	k=$((i % 3 + 1))
	p1=$(tm_path w1)
	p2=$(tm_path w2)
	[ -n "$p1" ] && [ "$p1" = "$p2" ] && same=$((same + 1))
	tm send-keys -t w1 "$k"
	tm send-keys -t w2 "$k"
	tm_moved w1 "$p1" && m1=$((m1 + 1))
	tm_moved w2 "$p2" && m2=$((m2 + 1))
done
check "overlap 1: both label 15 items, keys alternating" "15 15" "$m1 $m2"
check "overlap 1: the two screens never showed the same item" "0|15 15" \
	"$same|$m1 $m2"
check "overlap 1: 15 labels each in the store" "15|15" \
	"$(count_rows $L1)|$(count_rows $L2)"
check "overlap 1: no item has two labelers (of 30 labels)" "0|30" \
	"$(q1 "SELECT count(*) FROM (SELECT item FROM current_labels GROUP BY item
	    HAVING count(DISTINCT labeler) > 1)")|$(q1 "SELECT count(*) FROM
	    current_labels")"
quit_says w1 "overlap 1: the first quits, 15 labels saved" "15 labels saved"
quit_says w2 "overlap 1: the second quits, 15 labels saved" "15 labels saved"

# 13. A known image: quadrants red, green (top), blue, white (bottom).
mkdir "$T/quad"
convert -size 100x50 xc:'#ff0000' xc:'#00ff00' +append \
    \( -size 100x50 xc:'#0000ff' xc:'#ffffff' +append \) -append \
    "PNG24:$T/quad/quad.png"
project quad image --classes ok,bad &&
    "$ACCORD" import "$T/quad.accord" "$T/quad" >/dev/null
DB=$T/quad.accord
# quad_check NAME rgb|256: "ok", or what is wrong.  Each half of each
# cell of the image (tm_pixels: its top and bottom pixel) whose
# pixel lies wholly in one quadrant must have that quadrant's colour, and
# some cell must have its halves in different quadrants.
quad_check() {
	tm_pixels "$1" | python3 -c '
import sys
want = {"rgb": ["rgb:ff0000", "rgb:00ff00", "rgb:0000ff", "rgb:ffffff"],
        "256": ["c256:196", "c256:46", "c256:21", "c256:231"]}[sys.argv[1]]
x_end = int(sys.argv[2])
cells = {}
for line in sys.stdin:
    y, x, fg, bg = line.split()[:4]
    y, x = int(y), int(x)
    if 2 <= y and x < x_end and fg not in ("def", "deffg") and \
            not fg.startswith("ch:"):
        cells[(y, x)] = (fg, bg)
if not cells:
    sys.exit(print("no picture cells in the media pane"))
y0, y1 = min(y for y, x in cells), max(y for y, x in cells)
x0, x1 = min(x for y, x in cells), max(x for y, x in cells)
R, C = y1 - y0 + 1, x1 - x0 + 1
if len(cells) != R * C:
    sys.exit(print("image cells are not a rectangle (%dx%d, %d cells)"
                   % (C, R, len(cells))))
H = 2 * R - (cells[(y1, x0)][1] == "def")
if C < 40 or abs(C / H - 2) > 0.05:
    sys.exit(print("drawn %dx%d pixels, not 2:1" % (C, H)))
def quadrant(py, px):
    if py < H / 2 < py + 1 or px < C / 2 < px + 1:
        return None             # a pixel straddling the middle: a blend
    return (py >= H / 2) * 2 + (px >= C / 2)
bad, n, split = [], 0, 0
for (y, x), (fg, bg) in sorted(cells.items()):
    r, c = y - y0, x - x0
    qt, qb = quadrant(2 * r, c), quadrant(2 * r + 1, c)
    if qt is not None and qb is not None and 2 * r + 1 < H and qt != qb:
        split += 1
    for py, q, got, half in ((2 * r, qt, fg, "fg"), (2 * r + 1, qb, bg, "bg")):
        if py >= H or q is None:
            continue
        n += 1
        if got != want[q]:
            bad.append("cell (%d,%d) %s %s, want %s" % (x, y, half, got, want[q]))
if bad:
    print("%d of %d half cells wrong, e.g. %s" % (len(bad), n, "; ".join(bad[:3])))
elif split == 0:
    print("no cell has its halves in two quadrants (fg vs bg untested)")
else:
    print("ok")
' "$2" $PANE_X1
}
tm_start t1 $L1 COLORTERM=truecolor -- label "$DB"
started t1 "COLORTERM=truecolor: the screen starts"
check_screen "truecolor: quadrants in place in their colours, top and bottom pixel of each cell" \
	ok quad_check t1 rgb
quit_says t1 "truecolor: q quits" "[exit 0]"
tm_start t2 $L2 ACCORD_COLOR=256 -- label "$DB"
started t2 "ACCORD_COLOR=256: the screen starts"
check_screen "256 colours: quadrants in place as xterm colours 196, 46, 21, 231" \
	ok quad_check t2 256
quit_says t2 "256 colours: q quits" "[exit 0]"

# 14. Audio: waveform, time axis, and a (fake) player that stops when the
# item changes.
project audio audio --classes clean,noisy,clipped --borderline unsure &&
    "$ACCORD" import "$T/audio.accord" \
    "$ROOT/assets/demo/audio/clip_001.flac" \
    "$ROOT/assets/demo/audio/clip_002.wav" \
    "$ROOT/assets/demo/audio/clip_003.wav" >/dev/null
DB=$T/audio.accord
cat >"$T/fakeplay" <<EOF
#!/bin/sh
echo \$\$ >"$T/play.pid"
{ echo "argc=\$#"; for a in "\$@"; do echo "arg=\$a"; done; } >>"$T/play.log"
exec sleep 60
EOF
chmod 755 "$T/fakeplay"
# wave_cols NAME: how many of the media pane's 91 columns have a block
# character in the waveform's rows: the top third of the pane (rows 2-12,
# (36 - 1) / 3 = 11 rows; the spectrogram is below).  Silence is a line
# through the middle, so every column has one.
wave_cols() {
	pane_cells "$1" | awk '$1 <= 12 && $3 ~ /^25(80|84|88)$/ { c[$2] = 1 }
	    END { for (x in c) n++; print n + 0 }'
}
tm_start au $L1 ACCORD_PLAY="$T/fakeplay" -- label "$DB"
started au "audio: the screen starts"
check_screen "audio: a waveform of block characters across the pane's top third" \
	91 wave_cols au
check_screen "audio: a time axis from |0s on the pane's last row" 1 \
	eval 'tm_line au 37 | grep -c "^|0s "'
p=$(tm_path au)
tm send-keys -t au Space
has_log() { [ -s "$T/play.log" ] && [ -s "$T/play.pid" ]; }
tm_until au has_log
check "audio: space runs ACCORD_PLAY with the item's path as its one argument" \
	"argc=1|arg=$(want_path "$p")" \
	"$(tr '\n' '|' <"$T/play.log" 2>/dev/null | sed 's/|$//')"
pid=$(cat "$T/play.pid" 2>/dev/null)
check "audio: the player is running" yes \
	"$([ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo yes)"
tm_next au 1
player_gone() { [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; }
ok_if "audio: moving to the next item stops the player" tm_until au player_gone
quit_says au "audio: q quits" "1 label saved"

# 16. Control characters in paths and metadata are shown inert.
mkdir "$T/ctl"
cp "$ROOT/assets/demo/images/img_001.jpg" "$T/ctl/x${ESC}[32mGREEN.jpg"
printf 'file,camera\n"x\033[32mGREEN.jpg",\033[31mRED\n' >"$T/ctl/meta.csv"
project ctl image --classes ok,bad &&
    "$ACCORD" import "$T/ctl.accord" "$T/ctl" --meta "$T/ctl/meta.csv" >/dev/null
DB=$T/ctl.accord
tm_start x $L1 -- label "$DB"
started x "control characters: the screen starts"
check_screen "an ESC in the path is shown as ? (x?[32mGREEN.jpg)" 1 \
	eval 'tm_line x 1 | grep -cF "/x?[32mGREEN.jpg"'
check_screen "an ESC in metadata is shown as ? (camera=?[31mRED)" 1 \
	eval 'tm_line x 1 | grep -cF "camera=?[31mRED"'
quit_says x "control characters: q quits" "[exit 0]"
check "the ESC sequences never reached the terminal, their inert text did" \
	"0|1" "$(grep -c "$ESC\[3[12]m\(RED\|GREEN\)" "$T/x.raw")|$(grep -c \
	    '?\[31mRED' "$T/x.raw")"

# 17. The disk fills while labeling: the label is not lost, the screen says
# so and keeps the item; with room again the same key saves it.
if mkdir "$T/full" && mount -t tmpfs -o size=2m,mode=1777 tmpfs "$T/full"; then
	trap 'tm_stop; umount "$T/full" 2>/dev/null; [ -s "$T/play.pid" ] &&
	kill "$(cat "$T/play.pid")" 2>/dev/null; lib_cleanup' EXIT
	DB=$T/full/p.accord
	"$ACCORD" init "$DB" --task "e2e full" --media image --classes ok,bad \
	    >/dev/null && "$ACCORD" config "$DB" show-paths full >/dev/null &&
	    chmod 666 "$DB" &&
	    "$ACCORD" member "$DB" add $L1 >/dev/null &&
	    "$ACCORD" import "$DB" "$ROOT/assets/demo/images/img_001.jpg" \
	    "$ROOT/assets/demo/images/img_002.png" >/dev/null
	tm_start df $L1 -- label "$DB"
	started df "disk full: the screen starts"
	p=$(tm_path df)
	dd if=/dev/zero of="$T/full/filler" bs=4k >/dev/null 2>&1
	tm send-keys -t df 1
	ok_if "disk full: the screen says the label was not saved" \
		tm_wait df "not saved"
	check "disk full: the same item stays" "$(want_path "$p")" "$(tm_path df)"
	check "disk full: nothing half written" "ok|0" \
	    "$(q1 "PRAGMA integrity_check")|$(count_rows $L1)"
	rm -f "$T/full/filler"
	tm send-keys -t df 1
	tm_moved df "$p"
	check "disk full: with room again the key saves the label" "ok/new" \
	    "$(rows_of "$p" $L1)"
	quit_says df "disk full: q quits" "[exit 0]"
	umount "$T/full"
else
	fail "disk full: cannot mount a small tmpfs"
fi

# Every screen above ran under ASan and UBSan.
reports=$(grep -l -E 'Sanitizer|runtime error' "$T"/*.err 2>/dev/null |
	sed 's|.*/||; s|\.err$||' | tr '\n' ' ')
check "no sanitizer report from any screen" "" "$reports"
