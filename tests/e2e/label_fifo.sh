# accord label end to end on odd files (issue 17): two of four media files
# replaced by FIFOs after import.  The labeling screen, run by a real OS
# user in tmux (tests/e2e/tmux.lib), shows each FIFO's item with one line
# saying what it is, refuses a class key on it, skips it on s, labels the
# regular items and quits on q.  Then the review screen, every file a
# FIFO: it says so on each item and the SME still decides.  The old code opened the FIFO and waited
# for a writer for ever (only SIGKILL ended it): every wait here gives up
# after $TM_WAIT seconds, and the EXIT trap gives any reader still
# waiting its end of file, ends the tmux server and the OS user's
# processes (lib_cleanup), so nothing is left behind.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/e2e/tmux.lib"

need_commands tmux runuser sqlite3 mkfifo dd timeout
L1=$(test_user l1)
SME=$(test_user sme)
ensure_user $L1 $SME || skip_all "the screens run as real OS users: $WHY"
# unblock: a reader stuck opening a FIFO (the old code) gets a writer
# that closes at once, so it reads an end of file and can end; with no
# reader the nonblocking open fails at once.
unblock() {
	find "$T" -type p | while read -r _f; do
		timeout -k 1 2 dd of="$_f" oflag=nonblock </dev/null \
		    >/dev/null 2>&1
	done
	return 0
}
trap 'unblock; tm_stop; lib_cleanup' EXIT
export LC_ALL=C.UTF-8
chmod 777 "$T"

DB=$T/p.accord
mkdir -m 755 m
cp "$ROOT/assets/demo/images/img_001.jpg" "$ROOT/assets/demo/images/img_002.jpg" \
    "$ROOT/assets/demo/images/img_004.jpg" "$ROOT/assets/demo/images/img_005.png" m/
"$ACCORD" init "$DB" --task "e2e fifo" --media image --classes ok,bad \
    >/dev/null && "$ACCORD" config "$DB" show-paths full >/dev/null &&
    chmod 666 "$DB" &&
    "$ACCORD" member "$DB" add $L1 >/dev/null &&
    "$ACCORD" import "$DB" m >/dev/null
q1() { sqlite3 -batch -noheader "$DB" "$1"; }
check "set-up: an image project with 4 items" 4 "$(q1 "SELECT count(*) FROM items")"
for f in img_002.jpg img_005.png; do
	rm "m/$f" && mkfifo -m 644 "m/$f"
done
FIFO_ERR="cannot read the file: is a FIFO, not a regular file"

has_item() { [ -n "$(tm_path "$1")" ]; }
tm_start a $L1 -- label "$DB"
if tm_wait a "classes (key: label)" && tm_until a has_item a; then
	pass "label starts and shows an item with two FIFOs among the files"
else
	fail "label starts and shows an item with two FIFOs among the files" \
	    "screen: $(tm_screen a | grep -v '^ *$' | head -n 3 | tr '\n' '|')"
fi

# Through the queue: a FIFO's item must say so (then a class key is
# refused and s skips it), a regular item is labeled with 1.  Bounded:
# a screen that hangs or loops fails the counts below.
fifos=0 told=0 refused=0 labeled=0 skipped=0 i=0
while [ $i -lt 8 ] && ! tm_screen a | grep -qF "Nothing left"; do
	i=$((i + 1))
	p=$(tm_path a)
	[ -n "$p" ] || break
	if [ -p "$p" ]; then
		fifos=$((fifos + 1))
		tm_wait a "$FIFO_ERR" && told=$((told + 1))
		tm send-keys -t a 1
		tm_wait a "this item cannot be shown; s skips it" &&
		    [ "$(tm_path a)" = "$p" ] && refused=$((refused + 1))
		tm_next a s && skipped=$((skipped + 1))
	else
		tm_next a 1 && labeled=$((labeled + 1))
	fi
done
check "both FIFOs' items were shown, each with one line saying what it is" \
	"2|2" "$fifos|$told"
check "a class key on a FIFO's item is refused, the item stays" 2 "$refused"
check "s skips a FIFO's item to the next one" 2 "$skipped"
check "the two regular items were labeled" 2 "$labeled"
check "the store holds the labeler's two labels, none on a FIFO's item" \
	"2|0" "$(q1 "SELECT count(*) FROM labels WHERE labeler = '$L1'")|$(q1 \
	"SELECT count(*) FROM labels l JOIN items i ON i.id = l.item WHERE
	    l.labeler = '$L1' AND (i.path LIKE '%img_002.jpg' OR
	    i.path LIKE '%img_005.png')")"

tm send-keys -t a q
if tm_exited a && [ "$TM_RC" = 0 ]; then
	pass "q quits at once (exit 0): nothing waits on a FIFO"
else
	fail "q quits at once (exit 0): nothing waits on a FIFO" \
	    "rc=${TM_RC:-still running} err: $(head -c 300 "$T/a.err" | tr '\n' '|')"
fi
check "no sanitizer report" 0 \
	"$(grep -c -E 'Sanitizer|runtime error' "$T/a.err" 2>/dev/null || :)"

# --- the review screen: every media file a FIFO ------------------------------
# The demo images and their three labelers' labels (tests/e2e/review.sh),
# copied so that the files can be replaced.
RDB=$T/rev.accord
qr() { sqlite3 -batch -noheader "$RDB" "$1"; }
mkdir -m 755 r && cp -R "$ROOT/assets/demo/images" \
    "$ROOT/assets/demo/labels-images.csv" r/ && chmod -R a+rX r &&
    "$ACCORD" init "$RDB" --task "e2e review fifo" --media image \
    --classes ok,scratch,dent --borderline unsure >/dev/null &&
    chmod 666 "$RDB" &&
    "$ACCORD" member "$RDB" add $SME --role sme >/dev/null &&
    "$ACCORD" import "$RDB" r/images >/dev/null &&
    "$ACCORD" labels import "$RDB" r/labels-images.csv >/dev/null
check "set-up: 60 demo images with 180 labels" 60/180 \
	"$(qr "SELECT count(*) || '/' || (SELECT count(*) FROM labels) FROM items")"
for f in r/images/*; do
	rm "$f" && mkfifo -m 644 "$f"
done

tm_start s $SME -- review "$RDB"
if tm_wait s " accord | review | " && tm_until s has_item s &&
    tm_wait s "$FIFO_ERR"; then
	pass "review shows its first item's FIFO in one line"
else
	fail "review shows its first item's FIFO in one line" \
	    "screen: $(tm_screen s | grep -v '^ *$' | head -n 3 | tr '\n' '|')"
fi
p=$(tm_path s)
tm_next s 2
check "the SME still decides that item (2: scratch) and moves on" \
	"scratch|$SME" "$(qr "SELECT c.name || '|' || a.user FROM
	    adjudications a JOIN classes c ON c.id = a.class JOIN items i ON
	    i.id = a.item WHERE i.path = '$p'")"
ok_if "the next item's FIFO is shown the same way" tm_wait s "$FIFO_ERR"
tm send-keys -t s q
if tm_exited s && [ "$TM_RC" = 0 ]; then
	pass "review: q quits at once (exit 0)"
else
	fail "review: q quits at once (exit 0)" \
	    "rc=${TM_RC:-still running} err: $(head -c 300 "$T/s.err" | tr '\n' '|')"
fi
check "review: no sanitizer report" 0 \
	"$(grep -c -E 'Sanitizer|runtime error' "$T/s.err" 2>/dev/null || :)"
