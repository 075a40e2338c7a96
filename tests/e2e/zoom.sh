# The image view end to end (issue 17, "zoom that magnifies" and "see
# faint things"): a 32x32 image fills the label screen's pane, + - and !
# change the zoom, the zoom stays on the next item of the same size and
# goes back to fit on another size, the tone keys change the status line
# and the picture and \ restores both, and the label row keeps what the
# labeler saw (sqlite3 and accord labels dump).  The review screen shares
# the pane and its keys.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/e2e/tmux.lib"

need_commands tmux python3 convert runuser sqlite3
L1=$(test_user zl1)
SME=$(test_user zsme)
ensure_user $L1 $SME || skip_all "the screens run as real OS users: $WHY"
trap 'tm_stop; lib_cleanup' EXIT
export LC_ALL=C.UTF-8
chmod 777 "$T"

# Sessions are 120x40: the media pane is columns 0..90 and rows 2..37,
# 91 x 72 half-block pixels; a 32x32 image fits it at 72/32 = 2.25.
DB=$T/zoom.accord
q1() { sqlite3 -batch -noheader "$DB" "$1"; }

# Four items in import order (by path): three 32x32 grey ramps, then a
# 40x20 one, all mid-greys so that every tone key changes them.
mkdir -p "$T/img"
convert -size 32x32 gradient:'#505050-#a0a0a0' "$T/img/a.png" &&
    convert -size 32x32 gradient:'#606060-#909090' -rotate 90 \
    "$T/img/b.png" &&
    convert -size 32x32 gradient:'#404040-#707070' "$T/img/c.png" &&
    convert -size 40x20 gradient:'#505050-#a0a0a0' "$T/img/d.png" ||
    fail "set-up: the test images"
"$ACCORD" init "$DB" --task "zoom e2e" --media image \
    --classes ok,scratch,dent --borderline unsure >/dev/null &&
    "$ACCORD" config "$DB" show-paths full >/dev/null &&
    chmod 666 "$DB" &&
    "$ACCORD" member "$DB" add $L1 >/dev/null &&
    "$ACCORD" member "$DB" add $SME --role sme >/dev/null &&
    "$ACCORD" import "$DB" "$T/img" >/dev/null ||
    fail "set-up: a project of the four images"

# image_box NAME: the picture's bounding box in the media pane (rows
# 2..37, columns 0..90) as "WIDTH HEIGHT" in cells: those with a pixel
# that is not the terminal's background
image_box() {
	tm_pixels "$1" | awk '$1 >= 2 && $1 <= 37 && $2 < 91 &&
	    ($3 != "def" || $4 != "def") {
		if (!n++) { l = r = $2; t = b = $1 }
		if ($2 < l) l = $2; if ($2 > r) r = $2
		if ($1 < t) t = $1; if ($1 > b) b = $1 }
	    END { print r - l + 1, b - t + 1 }'
}
# view_says NAME: the view at the right end of row 1 ("fit 2.25x",
# "zoom 3x  contrast=1.19", ...)
view_says() { tm_line "$1" 1 | sed -E 's/.* (fit|zoom) /\1 /; s/ *$//'; }
view_is() { [ "$(view_says "$1")" = "$2" ]; }
# pane_cells NAME: the media pane's pixels (tm_pixels lines: a cell's two
# colours, whichever glyph the screen chose to write them with)
pane_cells() { tm_pixels "$1" | awk '$1 >= 2 && $1 <= 37 && $2 < 91'; }
# save_cells NAME FILE: the pane's cells into $T/FILE.cells once two
# captures in a row agree (a capture can catch the pane mid-draw)
_cells_settled() {
	pane_cells "$1" >"$T/$2.new"
	cmp -s "$T/$2.new" "$T/$2.cells" && return 0
	mv "$T/$2.new" "$T/$2.cells"
	return 1
}
save_cells() { : >"$T/$2.cells"; tm_until "$1" _cells_settled "$1" "$2"; }
# cells_differ NAME FILE: how many pane cells differ from $T/FILE.cells
cells_differ() { pane_cells "$1" | diff "$T/$2.cells" - | grep -c '^>'; }
differs_by_over() { [ "$(cells_differ "$1" "$2")" -gt "$3" ]; }

tm_start a $L1 -- label "$DB"
ok_if "label starts on the first 32x32 image" tm_wait a "a.png"
check_screen "fit enlarges the 32x32 image to the pane's height (72x36 cells)" \
	"72 36" image_box a
check_screen "the status line says fit and its scale" "fit 2.25x" view_says a

tm send-keys -t a +
check_screen "+ zooms in to 3 pixels a pixel: the whole pane (91x36)" \
	"91 36" image_box a
check_screen "... and the status line says zoom 3x" "zoom 3x" view_says a
tm send-keys -t a +
check_screen "+ again: zoom 4x" "zoom 4x" view_says a
tm send-keys -t a -
check_screen "- steps back to 3x" "zoom 3x" view_says a
tm send-keys -t a -
check_screen "- again goes back to fit" "fit 2.25x" view_says a
check_screen "... at the pane's height again" "72 36" image_box a
tm send-keys -t a !
check_screen "! shows 1:1: 32 columns by 16 rows" "32 16" image_box a
check_screen "... and says zoom 1x" "zoom 1x" view_says a
tm send-keys -t a z
check_screen "z fits again" "fit 2.25x" view_says a

# Tones: } raises the contrast, the status says so and the cells change;
# \ restores the picture cell for cell.
tm_until a view_is a "fit 2.25x"
save_cells a fit
tm send-keys -t a '}'
check_screen "} raises the contrast, shown in the status line" \
	"fit 2.25x  contrast=1.19" view_says a
ok_if "... and changes the picture (over 100 cells)" \
	tm_until a differs_by_over a fit 100
tm send-keys -t a ']' ']' '(' '*'
check_screen "] ] ( * add brightness, gamma and auto-levels" \
	"fit 2.25x  brightness=+0.10 contrast=1.19 gamma=0.84 levels=auto" \
	view_says a
tm send-keys -t a '\'
check_screen "\\ resets the tones" "fit 2.25x" view_says a
check_screen "... and the picture is the unadjusted one again" 0 \
	cells_differ a fit

# What the labeler saw goes with the label: zoomed to 3x with contrast.
tm send-keys -t a + '}'
tm_wait a "zoom 3x  contrast=1.19"
tm_next a 1
check "the label keeps the zoom, the region shown and the contrast" \
	"a.png|zoom=3 region=1,4,31,24 contrast=1.19" \
	"$(q1 "SELECT i.path, l.view FROM labels l JOIN items i ON
	    i.id = l.item WHERE l.labeler = '$L1' ORDER BY l.id DESC LIMIT 1" |
	    sed 's|.*/||')"

# The next item has the same size: the zoom and tones stay.
check_screen "the next 32x32 item keeps zoom 3x and the contrast" \
	"zoom 3x  contrast=1.19" view_says a
check_screen "... drawn zoomed (the whole pane)" "91 36" image_box a
tm send-keys -t a '\'
tm_wait a "zoom 3x"
tm send-keys -t a z
tm_wait a "fit 2.25x"
tm_next a 2
check "a label on a fitted, unadjusted image has no view (NULL)" \
	"b.png|1" "$(q1 "SELECT i.path, l.view IS NULL FROM labels l JOIN
	    items i ON i.id = l.item WHERE l.labeler = '$L1'
	    ORDER BY l.id DESC LIMIT 1" | sed 's|.*/||')"
check_screen "the third 32x32 item, after a fitted one, is fitted" \
	"fit 2.25x" view_says a
tm send-keys -t a + +
tm_wait a "zoom 4x"
tm_next a 3
ok_if "the next item of another size (40x20) is fitted again" \
	tm_until a view_is a "fit 2.27x"
check_screen "... to the pane's width (91 columns)" "91 23" image_box a
tm send-keys -t a q
tm_exited a

# labels dump shows the view as an extra column, --json as "view".
check "labels dump ends the zoomed label's line with its view" \
	"view: zoom=3 region=1,4,31,24 contrast=1.19" \
	"$("$ACCORD" labels dump "$DB" 2>&1 | grep -F a.png |
	    sed 's/.*\t//')"
check "labels dump --json: view null where nothing was changed" \
	"zoom=3 region=1,4,31,24 contrast=1.19|None|zoom=4 region=5,7,23,18" \
	"$("$ACCORD" labels dump "$DB" --json 2>&1 | /usr/bin/python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin]
print("|".join(str(r["view"]) for r in rows))')"

# In a project whose classes have letter keys, 1 is free: 1:1 as !.
DB2=$T/letters.accord
"$ACCORD" init "$DB2" --task "zoom letters" --media image \
    --classes ok:o,scratch:x >/dev/null && chmod 666 "$DB2" &&
    "$ACCORD" member "$DB2" add $L1 >/dev/null &&
    "$ACCORD" import "$DB2" "$T/img" >/dev/null ||
    fail "set-up: a project with letter keys"
tm_start l $L1 -- label "$DB2"
tm_wait l "fit 2.25x"
tm send-keys -t l 1
check_screen "with letter class keys, 1 shows 1:1 (32x16 cells)" "32 16" \
	image_box l
check "... and labels nothing" 0 "$(sqlite3 -batch -noheader "$DB2" \
	"SELECT count(*) FROM labels")"
tm send-keys -t l q
tm_exited l

# The review screen shares the pane: the same keys, the same status.
# Its pane is columns 0..70 (the panel takes two fifths): 71 x 72 pixels,
# so the 32x32 image fits at 71/32 = 2.22, 71 pixels (36 rows) tall.
# pane_rows NAME: the rows with picture cells in columns 0..29
pane_rows() {
	tm_pixels "$1" | awk '$1 >= 2 && $1 <= 37 && $2 < 30 &&
	    $3 !~ /^ch:/ && ($3 != "def" || $4 != "def") {
	    r[$1] = 1 } END { print length(r) }'
}
tm_start r $SME -- review "$DB" --item "$(q1 "SELECT id FROM items
    WHERE path LIKE '%/a.png'")"
if tm_wait r "fit 2.22x"; then
	pass "review: the status line shows the fit (2.22x)"
	check_screen "review: the 32x32 image fills the pane's height" 36 \
	    pane_rows r
	tm send-keys -t r + '['
	ok_if "review: + and [ zoom in and darken, shown on row 1" \
	    tm_wait r "zoom 3x  brightness=-0.05"
else
	fail "review: the status line shows the fit (2.22x)" \
	    "row 1: $(tm_line r 1) err: $(head -c 300 "$T/r.err")"
fi
tm send-keys -t r q
tm_exited r

reports=$(grep -l -E 'Sanitizer|runtime error' "$T"/*.err 2>/dev/null |
	sed 's|.*/||; s|\.err$||' | tr '\n' ' ')
check "no sanitizer report from either screen" "" "$reports"
