# The media pane writes only what changed (issue 17, "Fewer bytes"), and
# what it leaves on screen is the picture a full redraw gives.
#
# The label screen keeps the look of every media cell it wrote and writes
# only the cells that differ (tui/ui.c).  Checked at 256 colours and in
# truecolor, as a real OS user in a private tmux server, from every byte
# accord wrote (tmux pipe-pane, $T/NAME.raw) and from the screen tmux holds
# (capture-pane -e read as pixels, tm_pixels):
# - the same cells emitted again (z, fit, at fit) write nothing for the
#   pane, and neither do tags saved (the screen re-emits the pane);
# - from an image to the same image with a red square, the cells written
#   are the cells whose pixels differ, and not many more;
# - after a sequence of items, zoom, pan, a note, an overlay, a resize,
#   ^Z, and audio with a moving playhead, the pane equals what a full redraw
#   (^L: curses clears the screen and every cell is written) then shows;
# - closing an overlay gives back the picture exactly.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/e2e/tmux.lib"

need_commands tmux python3 convert runuser sqlite3
L1=$(test_user pb)
ensure_user $L1 || skip_all "the screen runs as a real OS user: $WHY"
trap 'tm_stop; [ -s "$T/play.pid" ] && kill "$(cat "$T/play.pid")" 2>/dev/null
lib_cleanup' EXIT
export LC_ALL=C.UTF-8
chmod 777 "$T"

# --- helpers ----------------------------------------------------------------

# project NAME MEDIA DIR: a store $T/NAME.accord of DIR's files, with $L1
# as a labeler; items are numbered in file name order.
project() {
	"$ACCORD" init "$T/$1.accord" --task "e2e bytes" --media "$2" \
	    --classes ok,bad >/dev/null &&
	    "$ACCORD" config "$T/$1.accord" show-paths full >/dev/null &&
	    chmod 666 "$T/$1.accord" &&
	    "$ACCORD" member "$T/$1.accord" add $L1 >/dev/null &&
	    "$ACCORD" import "$T/$1.accord" "$3" --jobs 1 >/dev/null
}

# raw.py FILE FROM: "SEGMENTS CELLS" of the bytes of FILE from offset
# FROM: the media emissions (each DECSC ... DECRC) and the cells they
# wrote (characters, once the escape sequences and CRs are taken out).
cat >"$T/raw.py" <<'EOF'
import re, sys
data = open(sys.argv[1], "rb").read()[int(sys.argv[2]):]
segs = cells = i = 0
while True:
    a = data.find(b"\x1b7", i)
    if a < 0:
        break
    b = data.find(b"\x1b8", a)
    b = len(data) if b < 0 else b
    seg = re.sub(rb"\x1b\[[0-9;]*[A-Za-z]", b"", data[a + 2:b])
    cells += len(seg.replace(b"\r", b"").decode("utf-8", "replace"))
    segs += 1
    i = b + 2
print(segs, cells)
EOF
raw_size() { wc -c <"$T/$1.raw"; }
emitted() { python3 "$T/raw.py" "$T/$1.raw" "$2"; }

# Settled: no media emission (no DECSC or DECRC: none begun or ended)
# for 0.4 s and nothing loading.  (The status bar's rate may still tick;
# it is curses' text, not the pane.)  Only the bytes of the 0.4 s are
# read: reading the whole recording each time made the test slow.
_quiet() {
	_q0=$(raw_size "$1")
	sleep 0.4
	[ "$(python3 -c 'import sys
d = open(sys.argv[1], "rb").read()[int(sys.argv[2]):]
print(d.count(b"\x1b7") + d.count(b"\x1b8"))' "$T/$1.raw" "$_q0")" = 0 ] &&
	    ! tm_screen "$1" | grep -qF "loading..."
}
settle() { tm_until "$1" _quiet "$1"; }

# The media pane at 120x40 (columns 0..90, rows 2..37) as pixels.
pane_px() {
	tm_pixels "$1" | awk '$1 >= 2 && $1 <= 37 && $2 < 91'
}
# picture NAME: pane cells of two pixels that are not blank (not curses'
# text: the time axis)
picture() {
	pane_px "$1" | awk '$3 !~ /^ch:/ && ($3 != "def" || $4 != "def")' |
	    wc -l
}
# box_pixels NAME: picture cells in the overlay box (columns 4..115, rows
# 2..37 at 120x40)
box_pixels() {
	tm_pixels "$1" | awk '$1 >= 2 && $1 <= 37 && $2 >= 4 && $2 < 116 &&
	    $3 !~ /^ch:/ && ($3 != "def" || $4 != "def")' | wc -l
}

# same_as_redraw NAME WHAT: the pane now equals the pane after ^L, which
# clears the screen and writes every picture cell again (and does write:
# the check cannot pass by comparing a screen with itself).
same_as_redraw() {
	settle "$1"
	pane_px "$1" >"$T/before.px"
	_o=$(raw_size "$1")
	tm send-keys -t "$1" C-l
	tm_until "$1" _redrawn "$1" "$_o"
	settle "$1"
	pane_px "$1" >"$T/after.px"
	_w=$(emitted "$1" "$_o" | cut -d' ' -f2)
	if ! [ "$_w" -ge "$(picture "$1")" ] 2>/dev/null; then
		fail "$2" "^L wrote $_w cells, fewer than the picture's $(picture "$1")"
	elif cmp -s "$T/before.px" "$T/after.px"; then
		pass "$2"
	else
		fail "$2" "$(diff "$T/before.px" "$T/after.px" | grep -c '^<') cells differ, e.g. $(diff "$T/before.px" "$T/after.px" | sed -n 2,3p | tr '\n' ' ')"
	fi
}
_redrawn() { [ "$(emitted "$1" "$2" | cut -d' ' -f1)" -ge 1 ]; }

# after_keys NAME KEYS...: send KEYS, settle; prints "SEGMENTS CELLS" the
# keys brought
after_keys() {
	_n=$1
	shift
	settle "$_n"
	_o=$(raw_size "$_n")
	tm send-keys -t "$_n" "$@"
	sleep 0.3
	settle "$_n"
	emitted "$_n" "$_o"
}

# Two images alike but for a red square (10x10 pixels: 10x5 cells when
# drawn 1:1), then four demo images.
mkdir "$T/img"
convert -size 60x40 gradient:'#203040-#a0b0c0' "PNG24:$T/img/a_base.png"
convert "$T/img/a_base.png" -fill '#ff0000' -draw 'rectangle 20,10 29,19' \
    "PNG24:$T/img/b_spot.png"
for i in 001 002 003 004; do
	cp "$ROOT/assets/demo/images/img_$i".* "$T/img/"
done

# run DEPTH [VAR=VALUE]: the scenarios at one colour depth, on a fresh
# project, with VAR=VALUE in accord's environment.
run() {
	_d=$1
	_ev=${2:-}
	project "im$_d" image "$T/img" ||
	    { fail "$_d: set-up: an image project"; return; }
	tm_start "i$_d" $L1 $_ev -- label "$T/im$_d.accord"
	if tm_wait "i$_d" "classes (key: label)" && settle "i$_d" &&
	    [ "$(tm_path "i$_d")" = "$T/img/a_base.png" ]; then
		pass "$_d: label starts with the first image"
	else
		fail "$_d: label starts with the first image" \
		    "$(tm_path "i$_d"); $(head -c 300 "$T/i$_d.err")"
		return
	fi
	n=i$_d

	# The same cells again: nothing written for the pane.
	check "$_d: z at fit emits the same cells: no byte for the pane" \
	    "0 0" "$(after_keys $n z)"
	tm send-keys -t $n t
	tm send-keys -t $n -l "glare"
	tm_wait $n "tags: glare"
	check "$_d: tags saved (the pane emitted again): no byte for the pane" \
	    "0 0" "$(after_keys $n Enter)"
	tm_wait $n "tags saved"

	# Only the red square.
	pane_px $n >"$T/base.px"
	set -- $(after_keys $n 1)
	tm_until $n eval '[ "$(tm_path '$n')" = "$T/img/b_spot.png" ]'
	pane_px $n >"$T/spot.px"
	changed=$(diff "$T/base.px" "$T/spot.px" | grep -c '^<')
	pic=$(picture $n)
	if [ "$changed" -ge 50 ] && [ "$2" -ge "$changed" ] &&
	    [ "$2" -le $((changed + 30)) ] && [ "$2" -lt $((pic / 4)) ]; then
		pass "$_d: to the image with a red square, only the cells that differ are written ($2 for $changed changed, of $pic)"
	else
		fail "$_d: to the image with a red square, only the cells that differ are written" \
		    "$2 cells written in $1 emissions for $changed changed, of $pic"
	fi
	same_as_redraw $n "$_d: after the partial emission the pane is what a full redraw draws"

	# A sequence: items, zoom, pan, fit, a note, more items.
	tm_next $n 2
	tm send-keys -t $n +
	settle $n
	tm send-keys -t $n l
	settle $n
	tm send-keys -t $n j
	same_as_redraw $n "$_d: zoomed in and panned, the pane is what a full redraw draws"
	tm send-keys -t $n z
	settle $n
	tm send-keys -t $n n
	tm send-keys -t $n -l "dust"
	tm_wait $n "note: dust"
	tm send-keys -t $n Enter
	tm_wait $n "note kept"
	tm_next $n 1
	tm_next $n 2
	same_as_redraw $n "$_d: after zoom, fit, a note and two more items, the pane is what a full redraw draws"

	# An overlay closed gives the picture back as it was.
	settle $n
	pane_px $n >"$T/open.px"
	tm send-keys -t $n '?'
	tm_wait $n "keys (any key closes)"
	settle $n
	# ^Z with the help open: curses repaints the help when continued, and
	# the pane's wipe must not blank what curses drew.
	tm send-keys -t $n C-z
	sleep 1
	settle $n
	check "$_d: ^Z with the help open: the help is whole, no picture in its box" \
	    "1|0" "$(tm_screen $n | grep -c 'keys (any key closes)')|$(box_pixels $n)"
	tm send-keys -t $n Escape
	tm_gone $n "keys (any key closes)"
	settle $n
	pane_px $n >"$T/closed.px"
	if cmp -s "$T/open.px" "$T/closed.px" && [ "$(picture $n)" -gt 1000 ]; then
		pass "$_d: the help overlay closed, the picture is back exactly"
	else
		fail "$_d: the help overlay closed, the picture is back exactly" \
		    "$(diff "$T/open.px" "$T/closed.px" | grep -c '^<') cells differ; $(picture $n) picture cells"
	fi
	# (the status bar says "guideline v1" too: wait on the viewer's title)
	tm send-keys -t $n g
	tm_wait $n "q closes)"
	tm send-keys -t $n Down
	settle $n
	tm send-keys -t $n q
	tm_gone $n "q closes)"
	settle $n
	pane_px $n >"$T/closed.px"
	if cmp -s "$T/open.px" "$T/closed.px"; then
		pass "$_d: the guideline viewer scrolled and closed, the picture is back exactly"
	else
		fail "$_d: the guideline viewer scrolled and closed, the picture is back exactly" \
		    "$(diff "$T/open.px" "$T/closed.px" | grep -c '^<') cells differ"
	fi

	# A resize there and back.
	tm resize-window -t $n -x 100 -y 30
	settle $n
	tm resize-window -t $n -x 120 -y 40
	same_as_redraw $n "$_d: resized and back, the pane is what a full redraw draws"

	# ^Z: curses ends its window and, continued, repaints its model, blank
	# in the pane.  (Here the pane's process group has no job control, so
	# the kernel discards the stop and curses repaints at once.)
	tm send-keys -t $n C-z
	sleep 1
	same_as_redraw $n "$_d: after ^Z the picture is back: the pane is what a full redraw draws"
	tm send-keys -t $n q
	tm_exited $n

	# Audio: the playhead moves over the waveform and is gone after.
	project "au$_d" audio "$ROOT/assets/demo/audio" ||
	    { fail "$_d: set-up: an audio project"; return; }
	cat >"$T/play" <<EOF
#!/bin/sh
echo \$\$ >"$T/play.pid"
exec sleep 1.5
EOF
	chmod 755 "$T/play"
	tm_start "a$_d" $L1 ACCORD_PLAY="$T/play" $_ev -- label "$T/au$_d.accord"
	n=a$_d
	tm_wait $n "classes (key: label)"
	tm_until $n eval '[ -n "$(tm_path '$n')" ]'
	tm_next $n 1
	settle $n
	_o=$(raw_size $n)
	tm send-keys -t $n Space
	sleep 2.5
	set -- $(emitted $n "$_o")
	if [ "$1" -ge 4 ]; then
		pass "$_d: audio: the playhead moved ($1 emissions, $2 cells)"
	else
		fail "$_d: audio: the playhead moved" "$1 emissions, $2 cells"
	fi
	same_as_redraw $n "$_d: audio: after playback the pane is what a full redraw draws"
	tm send-keys -t $n q
	tm_exited $n
}

run 256
run truecolor COLORTERM=truecolor
