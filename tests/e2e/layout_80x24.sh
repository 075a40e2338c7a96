# The label and review screens at 80x24, the size a terminal opens at
# (issue 17), checked row by row: the status rows, the key hint row and
# the review's decide line are whole (nothing cut at the right edge), a
# long message wraps, the help overlay covers the whole panel and scrolls
# to its last key; at 120x40 the same essentials, with what 80 columns
# leave out.  Then what labelers see of paths (show-paths: none for a new
# project, basename, full; the review shows paths), and a playback failure
# said once with the player's own reason.  Real OS users in a private tmux
# server (tests/e2e/tmux.lib), checked on the screen and in the store.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/e2e/tmux.lib"

need_commands tmux runuser sqlite3
L1=$(test_user lyl)
SME=$(test_user lysme)
ensure_user $L1 $SME || skip_all "the screens run as real OS users: $WHY"
trap 'tm_stop; lib_cleanup' EXIT
export LC_ALL=C.UTF-8
chmod 777 "$T"

# --- set-up: images in folders named after classes ---------------------------
# The folder names give the answer away: a labeler must not see them.
D=$T/data
mkdir -p "$D/scratch" "$D/ok"
S=$ROOT/assets/demo/images
cp "$S/img_001.jpg" "$S/img_002.jpg" "$S/img_003.jpg" "$D/scratch/"
cp "$S/img_004.jpg" "$S/img_006.jpg" "$S/img_007.jpg" "$D/ok/"
{
	echo "file,factory,line,camera"
	for f in scratch/img_001 scratch/img_002 scratch/img_003 ok/img_004 \
	    ok/img_006 ok/img_007; do
		echo "$f.jpg,Porto,Line 1,cam-a"
	done
} >"$D/meta.csv"
# Two disagreements for the review.
printf '%s\n' "file,labeler,class,seconds,note" \
    "scratch/img_002.jpg,alice,scratch,2.0," \
    "scratch/img_002.jpg,bob,ok,3.0," \
    "ok/img_004.jpg,alice,ok,2.0," "ok/img_004.jpg,bob,dent,2.5," \
    >"$D/labels.csv"
chmod -R a+rX "$D"
DB=$T/lay.accord
"$ACCORD" init "$DB" --task "e2e layout" --media image \
    --classes ok,scratch,dent --borderline unsure >/dev/null &&
    "$ACCORD" member "$DB" add $L1 >/dev/null &&
    "$ACCORD" member "$DB" add $SME --role sme >/dev/null &&
    "$ACCORD" import "$DB" "$D" --meta "$D/meta.csv" >/dev/null &&
    "$ACCORD" labels import "$DB" "$D/labels.csv" >/dev/null &&
    chmod 666 "$DB" || { fail "set-up: the project"; exit 1; }
q1() { sqlite3 -batch -noheader "$DB" "$1"; }
count_rows() { q1 "SELECT count(*) FROM labels WHERE labeler = '$1'"; }

# The project keeps the default of a new one: show-paths none (the setting
# itself: tests/cmd/show_paths.sh).

# --- helpers -------------------------------------------------------------------
# row NAME Y: row Y without its trailing blanks
row() { tm_line "$1" "$2" | sed 's/ *$//'; }
# rule_row NAME Y: "whole" when row Y is 80 box rules from edge to edge
rule_row() {
	[ "$(tm_line "$1" "$2")" = "$(printf '─%.0s' $(seq 1 "$3"))" ] &&
	    echo whole || echo "not whole: '$(tm_line "$1" "$2")'"
}
# leaks NAME: what of a path the screen shows (nothing, hopefully)
leaks() {
	tm_screen "$1" | grep -F -e "$D" -e "/scratch" -e "/ok/" -e "img_0" |
	    head -3 | tr '\n' '|'
}
# item_no NAME: N when row 1 starts with "item N"
item_no() { tm_line "$1" 1 | sed -n 's/^item \([0-9][0-9]*\).*/\1/p'; }
# meta_whole NAME: the fields of row 1 after "item N" (and the base name,
# when $2 is given) that are not a whole key=value of the item
# view_out: the fields of row 1 without the image's view at its end
# ("fit 0.212x", "zoom 3x  contrast=1.19": tests/e2e/zoom.sh checks it)
view_out() { grep -Ev '^(fit|zoom) [0-9.]+x'; }
meta_whole() {
	_n=$(item_no "$1")
	[ -n "$_n" ] || { echo "no item number on row 1"; return; }
	# as the screen prints them: measured values %.4g, CSV values as
	# written
	q1 "SELECT key || '=' || CASE typeof(value) WHEN 'real' THEN
	    printf('%.4g', value) ELSE value END FROM current_meta
	    WHERE item = $_n" >"$T/meta.want"
	tm_line "$1" 1 | sed 's/ *$//; s/   */\n/g' | sed 1d | view_out |
	    { [ -n "${2:-}" ] && sed 1d || cat; } |
	    while IFS= read -r f; do
		grep -qxF -- "$f" "$T/meta.want" || echo "cut: $f"
	    done
}
# fit80 ROW SHORTER...: the first that fits 80 columns (the status rows
# drop fields, whole, to fit; the users' names here are long)
fit80() {
	for _r in "$@"; do
		[ "$(printf %s "$_r" | wc -m)" -le 80 ] && { echo "$_r"; return; }
	done
	echo "$_r"
}

LABEL_KEYS="keys: n note  t tags  u undo  s skip  p back  g guide  + - zoom  ? help  q quit"
REVIEW_KEYS80="a ambiguous  r relabel  c comment  n next  p prev  / filter  ? help  q quit"
REVIEW_KEYS="a ambiguous  r relabel  c comment  n next  p prev  / filter  G gold  e guideline  w why  ? help  q quit"

# --- the label screen at 80x24 --------------------------------------------------
rm "$D/scratch/img_003.jpg"	# an item whose file is gone: its error
TM_COLS=80 TM_ROWS=24 tm_start a $L1 -- label "$DB"
ok_if "80x24 label: the screen starts on an item" tm_until a eval \
	'[ -n "$(item_no a)" ]'
check_screen "80x24 label: row 0, the status bar, is whole" \
	"$(fit80 " accord | e2e layout | $L1 | guideline v1 | D done, L left | 0.0/min" \
	    " accord | e2e layout | $L1 | guideline v1 | D done, L left" \
	    " accord | e2e layout | guideline v1 | D done, L left")" \
	eval 'row a 0 | sed "s/[0-9][0-9]* done, [0-9][0-9]* left/D done, L left/"'
check_screen "80x24 label: row 1 names the item by its number, metadata whole" "" \
	meta_whole a
check_screen "80x24 label: the key hint row is whole" "$LABEL_KEYS" row a 23
check "80x24 label: the class panel is whole" \
	"classes (key: label)| 1 ok| 2 scratch| 3 dent| b unsure (borderline)" \
	"$(tm_cols a 53 80 | sed -n '3,7p' | sed 's/ *$//' | tr '\n' '|' | sed 's/|$//')"
check "80x24 label: no path, no folder, no file name on the screen" "" "$(leaks a)"

# The help: over the whole width, so nothing of the pane or the panel
# shows; longer than the box at 80x24, so it scrolls to its last key.
n0=$(count_rows $L1)
no=$(item_no a)
tm send-keys -t a '?'
ok_if "80x24 label: ? shows the help, saying it scrolls" tm_wait a \
	"keys (arrows PgUp PgDn Home End scroll, any other key closes)"
check_screen "80x24 label: the help's top rule spans all 80 columns" whole \
	rule_row a 2 80
check_screen "80x24 label: the help's bottom rule too" whole rule_row a 21 80
check_screen "80x24 label: no row of the help shows the panel (rule or text)" "" \
	eval 'tm_screen a | sed -n "4,21p" | grep -e "│" -e "classes (key" -e "note:"'
ok_if "80x24 label: the help says where it is" tm_wait a "lines 1-16 of "
# help_seen: every "KEY  what" pair on any page, from the keys' column
: >"$T/help.seen"
help_page() { tm_cols a 6 80 | sed -n '5,20p' >>"$T/help.seen"; }
help_page
tm send-keys -t a NPage
tm_gone a "lines 1-16 of "
help_page
tm send-keys -t a End
ok_if "80x24 label: End shows the last key" tm_wait a \
	"quit (every label is already saved)"
help_page
missing=$(for kv in "1|label as ok" "2|label as scratch" "3|label as dent" \
    "b|label as unsure (borderline)" "n|write a note" "t|tags" "u|undo" \
    "s|skip" "p Backspace|back" "space|play" "+ - !|zoom in / out" "z|fit" \
    "arrows hjkl|pan" "g|show the guideline" "?|this help" "^L|redraw" "q|quit"; do
	k=${kv%%|*} w=${kv#*|}
	grep -qF -- "$(printf '%-12s%s' "$k" "$w")" "$T/help.seen" ||
	    printf '%s ' "$k"
done)
check "80x24 label: the help's pages list every key with what it does" "" "$missing"
tm send-keys -t a x
tm_gone a "any other key closes"
check "80x24 label: any other key (x) closes the help, labeling nothing" \
	"$no|$n0" "$(item_no a)|$(count_rows $L1)"

# A note wider than the 26-column panel wraps there, whole.
NOTE="a faint line near the left edge, maybe a reflection"
tm send-keys -t a n
tm_wait a "note: "
tm send-keys -t a -l "$NOTE"
tm send-keys -t a Enter
tm_wait a "note kept"
check_screen "80x24 label: a long note wraps in the panel, whole" "$NOTE" \
	eval 'tm_cols a 53 80 | sed -n "/^note:/,/^tags:/p" | sed "1d;\$d; s/ *$//" |
	    tr "\n" " " | sed "s/ $//"'

# A label's and a skip's messages name the item as the screen does.
tm_next a 2
check_screen "80x24 label: the label's message names the item by number" \
	"scratch: item $no" row a 22
no=$(item_no a)
tm_next a s
check_screen "80x24 label: so does the skip's" "skipped item $no" row a 22

# The rest of the items, one by one: none shows a path, and the file that
# is gone says so without its path.
bad=""
gone=""
i=0
while [ $i -lt 6 ] && ! tm_screen a | grep -q "Nothing left"; do
	[ -n "$(leaks a)" ] && bad="$bad $(item_no a):$(leaks a)"
	tm_screen a | grep -q "No such file" && gone=$(item_no a)
	tm_next a s
	i=$((i + 1))
done
check "80x24 label: no item shows its path, folder or file name" "" "$bad"
check "80x24 label: the missing file's item was shown, by number" \
	"$(q1 "SELECT id FROM items WHERE path LIKE '%/img_003.jpg'")" "$gone"
ok_if "80x24 label: at the end, the note says so, wrapped whole" tm_until a \
	eval 'tm_screen a | grep -q "appear here when others release them\."'
tm send-keys -t a q
tm_exited a

# --- the label screen at 120x40: the same essentials ---------------------------
TM_COLS=120 TM_ROWS=40 tm_start a2 $L1 -- label "$DB"
ok_if "120x40 label: the screen starts on an item" tm_until a2 eval \
	'[ -n "$(item_no a2)" ]'
check_screen "120x40 label: the key hint row is the same" "$LABEL_KEYS" row a2 39
check_screen "120x40 label: row 1 shows every metadata field, whole" \
	"$(q1 "SELECT count(*) FROM current_meta WHERE item = $(item_no a2)")|" \
	eval 'echo "$(tm_line a2 1 | sed "s/ *$//; s/   */\n/g" | sed 1d | view_out | wc -l | tr -d " ")|$(meta_whole a2)"'
tm send-keys -t a2 '?'
ok_if "120x40 label: the help fits: any key closes it" tm_wait a2 \
	"keys (any key closes)"
check_screen "120x40 label: the help's rule spans all 120 columns" whole \
	rule_row a2 2 120
tm send-keys -t a2 x q
tm_exited a2

# --- show-paths basename and full --------------------------------------------
"$ACCORD" config "$DB" show-paths basename >/dev/null
TM_COLS=80 TM_ROWS=24 tm_start b $L1 -- label "$DB"
ok_if "basename: the screen starts" tm_until b eval '[ -n "$(item_no b)" ]'
check_screen "basename: row 1 is the item number, then the file's name" \
	"$(q1 "SELECT replace(path, rtrim(path, replace(path, '/', '')), '')
	    FROM items WHERE id = $(item_no b)")" \
	eval 'tm_line b 1 | sed "s/^item [0-9]*  //; s/  .*//"'
check "basename: no folder on the screen" "" \
	"$(tm_screen b | grep -F -e "$D" -e "/scratch" -e "/ok/")"
tm send-keys -t b q
tm_exited b
"$ACCORD" config "$DB" show-paths full >/dev/null
TM_COLS=80 TM_ROWS=24 tm_start f $L1 -- label "$DB"
ok_if "full: the screen starts" tm_until f eval '[ -n "$(tm_path f)" ]'
check_screen "full: row 1 is the item's path, as before the setting" \
	"$D/" eval 'tm_path f | cut -c1-$((${#D} + 1))'
check "full: that path is an item's" 1 \
	"$(q1 "SELECT count(*) FROM items WHERE path = '$(tm_path f)'")"
tm send-keys -t f q
tm_exited f
"$ACCORD" config "$DB" show-paths none >/dev/null

# --- the review screen at 80x24 -------------------------------------------------
TM_COLS=80 TM_ROWS=24 tm_start r $SME -- review "$DB"
ok_if "80x24 review: the screen starts" tm_wait r "decide:"
check_screen "80x24 review: row 0 is whole (the entropy gives way, then the user)" \
	"$(fit80 " accord | review | $SME | guideline v1 | 1/2 | undecided | filter: none" \
	    " accord | review | guideline v1 | 1/2 | undecided | filter: none")" \
	row r 0
check "80x24 review: an SME sees the item's path (show-paths is for labelers)" \
	1 "$(q1 "SELECT count(*) FROM items WHERE path = '$(tm_path r)'")"
# At 80 columns the panel is 34 wide: it starts at column 47.
check_screen "80x24 review: the decide line is whole: b unsure on the next row" \
	"decide: 1 ok  2 scratch  3 dent|        b unsure" \
	eval 'tm_cols r 47 80 | sed -n "3,4p" | sed "s/ *$//" | tr "\n" "|" | sed "s/|$//"'
check_screen "80x24 review: the key hint row is whole" "$REVIEW_KEYS80" row r 23
# A label's row is wider than the 34-column panel: it wraps, the time and
# "imported" on a row of their own, indented (both labels here imported).
check_screen "80x24 review: the labels' rows wrap, not cut: time and origin show" 2 \
	eval 'tm_cols r 47 80 | grep -cE "^   [0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} imported *$"'
tm send-keys -t r G
check_screen "80x24 review: G asks for the class on the hint row, whole" \
	"gold: press the item's class key (any other key cancels)" row r 23
tm send-keys -t r x
ok_if "80x24 review: another key cancels" tm_wait r "gold: cancelled"
tm send-keys -t r '?'
ok_if "80x24 review: ? shows the help, saying it scrolls" tm_wait r \
	"review keys (arrows PgUp PgDn Home End scroll, any other key closes)"
check_screen "80x24 review: the help's top rule spans all 80 columns" whole \
	rule_row r 2 80
check_screen "80x24 review: the help covers the panel: no rule, no panel text" "" \
	eval 'tm_screen r | sed -n "4,21p" | grep -e "│" -e "decide:" -e "labels in force" -e "comments ("'
tm send-keys -t r End
ok_if "80x24 review: End shows the last key" tm_wait r \
	"quit (every decision is already saved)"
tm send-keys -t r x
ok_if "80x24 review: any other key closes the help, the panel is back" \
	tm_wait r "labels in force"

# The same at 120x40: the entropy, the keys 80 columns left out, the decide
# line on one row, a help that fits.
tm resize-window -t r -x 120 -y 40
ok_if "120x40 review: row 0 has the entropy back" tm_until r eval \
	'row r 0 | grep -qE "^ accord \| review \| $SME \| guideline v1 \| 1/2 \| H [0-9.]+ bits \| undecided \| filter: none$"'
check_screen "120x40 review: the key hint row has every item" "$REVIEW_KEYS" \
	row r 39
check_screen "120x40 review: the decide line is one row" \
	"decide: 1 ok  2 scratch  3 dent  b unsure" \
	eval 'tm_cols r 73 120 | sed -n 3p | sed "s/ *$//"'
tm send-keys -t r '?'
ok_if "120x40 review: the help fits: any key closes it" tm_wait r \
	"review keys (any key closes)"
tm send-keys -t r x q
tm_exited r

# --- playback: a failure said once, with the player's reason -------------------
# An audio project in class-named folders; the "player" fails at once
# with a long reason naming the file, as aplay does without a device.
A=$T/aud
mkdir -p "$A/noisy"
cp "$ROOT/assets/demo/audio/clip_002.wav" "$ROOT/assets/demo/audio/clip_003.wav" \
    "$A/noisy/"
chmod -R a+rX "$A"
ADB=$T/aud.accord
"$ACCORD" init "$ADB" --task "e2e playback" --media audio \
    --classes good,noisy >/dev/null &&
    "$ACCORD" member "$ADB" add $L1 >/dev/null &&
    "$ACCORD" import "$ADB" "$A" >/dev/null && chmod 666 "$ADB" ||
    fail "set-up: the audio project"
cat >"$T/failplay" <<'EOF'
#!/bin/sh
echo "failplay: opening $1" >&2
echo "failplay: $1: No such device (tried default, hw:0,0, plughw:0,0, pulse and every card in /proc/asound/cards) END-OF-REASON" >&2
exit 3
EOF
chmod 755 "$T/failplay"
TM_COLS=80 TM_ROWS=24 tm_start p $L1 ACCORD_PLAY="$T/failplay" -- label "$ADB"
ok_if "playback: the audio screen starts" tm_until p eval '[ -n "$(item_no p)" ]'
no=$(item_no p)
tm send-keys -t p Space
ok_if "playback: a failing player is said to have failed" tm_wait p \
	"playback failed:"
# The message takes rows 20-22 (wrapped, over the pane's last rows).
msg_rows() {
	tm_screen p | sed -n '21,23p' | sed 's/ *$//' |
	    grep -v -e '│' -e '▀' -e '▄' -e '|0s' |
	    tr '\n' ' ' | sed 's/  */ /g; s/ $//'
}
check_screen "playback: with the player's reason, wrapped whole, naming the item as the screen does" \
	"playback failed: failplay: item $no: No such device (tried default, hw:0,0, plughw:0,0, pulse and every card in /proc/asound/cards) END-OF-REASON; labeling goes on" \
	msg_rows
check_screen "playback: the key hint row stays whole under it" \
	"keys: space play  n note  t tags  u undo  s skip  p back  ? help  q quit" \
	row p 23
check "playback: no path in the message" "" \
	"$(tm_screen p | grep -F -e "$A" -e "/noisy" -e "clip_00")"
sleep 1
check "playback: said once" 1 "$(tm_screen p | grep -c "playback failed")"
tm send-keys -t p +
tm_gone p "playback failed"
check_screen "playback: with the message gone, the pane's last rows are back (spectrogram, time axis)" \
	"1|1" eval 'echo "$(tm_cols p 0 51 | sed -n 21p | grep -c "[▀▄]")|$(tm_line p 21 | grep -c "^|0s ")"'
sleep 1.5
check "playback: once cleared, not said again" 0 \
	"$(tm_screen p | grep -c "playback failed")"
tm send-keys -t p q
tm_exited p

# Every screen above ran under ASan and UBSan.
reports=$(grep -l -E 'Sanitizer|runtime error' "$T"/*.err 2>/dev/null |
	sed 's|.*/||; s|\.err$||' | tr '\n' ' ')
check "no sanitizer report from any screen" "" "$reports"
