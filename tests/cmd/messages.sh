# Commands that say what to do (issue 18): every "no such X" names the
# closest valid name and lists the valid ones; operands in the wrong order
# are recognised and the working order shown; a store that cannot be
# opened says why (permission, read-only directory, full disk, file size
# limit, a damaged schema version) with its path; bidirectional overrides
# and C1 controls from file names and notes reach the terminal escaped and
# JSON as \uXXXX.
. "$(dirname "$0")/../lib.sh"

IMG=$ROOT/assets/demo/images
DB=$T/p.accord
RLO=$(printf '\342\200\256')
C1=$(printf '\302\233')

"$ACCORD" init "$DB" --task t --media image \
    --classes ok,scratch,dent,unsure >/dev/null
"$ACCORD" import "$DB" "$IMG"/img_00[1-4].jpg --batch week1 >/dev/null 2>&1
"$ACCORD" import "$DB" "$IMG"/img_00[5-8].jpg --batch week2 >/dev/null 2>&1

# one_line WANT...: the last run failed (status 1 or 2) with one line on
# stderr holding every WANT.
one_line() {
	[ "$RC" -ne 0 ] && err_lines 1 || return 1
	for _w in "$@"; do
		grep -qF -- "$_w" "$T/err" || {
			echo "# missing: $_w" >&2
			return 1
		}
	done
}

# --- no such X: the closest name and the choices ---------------------
run "$ACCORD" adjudicate "$DB" 1 --class scrath
ok_if "adjudicate --class scrath: did you mean scratch, the classes" \
    one_line "no class 'scrath' in this project" \
    "did you mean 'scratch'? classes: ok, scratch, dent, unsure"
run "$ACCORD" gold "$DB" add 1 dnet
ok_if "gold add with a mistyped class: did you mean dent" \
    one_line "did you mean 'dent'? classes: ok, scratch, dent, unsure"
printf 'unsrue\n' >"$T/script"
run "$ACCORD" label "$DB" --script "$T/script"
ok_if "label --script: the line, the closest class" \
    one_line "line 1: no class 'unsrue'" "did you mean 'unsure'?"
run "$ACCORD" drift "$DB" --from week1 --to week3
ok_if "drift --to week3: the batches (week1 and week2 equally near)" \
    one_line "no import batch named 'week3' (import batches: week1, week2)"
run "$ACCORD" drift "$DB" --from week1 --to wek2
ok_if "drift --to wek2: did you mean week2" \
    one_line "did you mean 'week2'? import batches: week1, week2"
run "$ACCORD" review "$DB" --batch weeek1
ok_if "review --batch: did you mean week1" one_line "did you mean 'week1'?"
run "$ACCORD" errors "$DB" --run nosuch
ok_if "errors --run with no run stored: says there are none" \
    one_line "no prediction run named 'nosuch' (there are no prediction runs)"
run "$ACCORD" items "$DB" --where brightnes=1
ok_if "items --where on an unknown key: did you mean brightness, the keys" \
    one_line "no item has a metadata key 'brightnes'" \
    "did you mean 'brightness'? keys: kind, format, batch, sha256, path"
run "$ACCORD" items "$DB" --where batch=week1
ok_if "items --where on a known key still lists" \
    sh -c "[ $RC -eq 0 ] && [ \$(wc -l < '$T/out') -eq 4 ]"
run "$ACCORD" agree "$DB" --by sharpnes
ok_if "agree --by: did you mean sharpness, batch and the keys" \
    one_line "no item has metadata key 'sharpnes' (did you mean 'sharpness'? keys: batch, brightness"
run "$ACCORD" errors "$DB" --run nosuch --by tg
ok_if "errors --by: did you mean tag" one_line "did you mean 'tag'? keys: tag,"
run "$ACCORD" agree "$DB" --jsno
ok_if "an unknown option: did you mean --json, the options" \
    sh -c "[ $RC -eq 2 ] && grep -qF \"unknown option '--jsno'; did you mean '--json'? options: --by,\" '$T/err'"
run "$ACCORD" guideline "$DB" show --version 9
ok_if "guideline show --version 9: the versions, no guess at a number" \
    one_line "no guideline version 9 (versions: 1)"
run "$ACCORD" member "$DB" remove "$(id -un)x"
ok_if "member remove of a non-member: the members" \
    one_line "no member named '$(id -un)x'" "members: $(id -un)"
run "$ACCORD" config "$DB" overlp
ok_if "config overlp: did you mean overlap, the settings" \
    one_line "no setting 'overlp' (did you mean 'overlap'? settings: gold-rate"
run "$ACCORD" config "$DB" get task
ok_if "config get KEY: the form config takes" \
    one_line "no verb 'get'" "accord config DB KEY reads"
run "$ACCORD" agre "$DB"
ok_if "a mistyped command: did you mean agree, the commands" \
    sh -c "[ $RC -eq 2 ] && grep -qF \"unknown command 'agre' (did you mean 'agree'? commands: init, member\" '$T/err'"

# --- operands in the wrong order ---------------------------------------
run "$ACCORD" "$DB" agree --json
ok_if "accord DB agree: the command comes first, the order shown" \
    sh -c "[ $RC -eq 2 ] && grep -qF \"'$DB' is not a command; the command comes first: accord agree $DB --json\" '$T/err'"
run "$ACCORD" agree batch1 "$DB"
ok_if "accord agree batch1 DB: the store comes first, the order shown" \
    sh -c "[ $RC -eq 2 ] && grep -qF \"'batch1' is no file and '$DB' is a store: the store comes first: accord agree $DB batch1\" '$T/err'"
run "$ACCORD" agree --json "$DB"
ok_if "accord agree --json DB is fine" rc_is 0
run "$ACCORD" labels dump "$DB"
ok_if "labels dump DB (its verb first) is not taken for a swap" rc_is 0
run "$ACCORD" labels "$DB" dump
ok_if "accord labels DB dump: the store comes after the action" \
    sh -c "[ $RC -eq 2 ] && grep -qF \"the store comes after the action: accord labels dump $DB\" '$T/err'"

# --- stores that cannot be opened --------------------------------------
run "$ACCORD" status "$T/nosuch.accord"
ok_if "a missing store: no such project store, with the path" \
    one_line "$T/nosuch.accord: no such project store"
run "$ACCORD" status "$T"
ok_if "a directory: named as one" one_line "$T: is a directory"
cp "$DB" "$T/neg.accord"
sqlite3 "$T/neg.accord" "PRAGMA user_version = -1"
run "$ACCORD" status "$T/neg.accord"
ok_if "user_version -1: a damaged schema version, not 'not an error'" \
    sh -c "[ $RC -eq 1 ] && grep -qF 'neg.accord: store has schema version -1, which no accord writes' '$T/err' && ! grep -q 'not an error' '$T/err'"

# ulimit -f: SQLite's "disk I/O error" at the first write beside the store
# (its -shm) is the file size limit, and says so.  SIGXFSZ ignored, as a
# shell user would have it, so the write fails with EFBIG.
cp "$DB" "$T/lim.accord"
rm -f "$T/lim.accord-wal" "$T/lim.accord-shm"
(trap '' XFSZ; ulimit -f 1; "$ACCORD" status "$T/lim.accord") \
    >"$T/out" 2>"$T/err"
RC=$?
ok_if "ulimit -f: the file size limit named, with the path" \
    one_line "$T/lim.accord: file size limit reached (ulimit -f)"

# A full file system: a 256 KiB tmpfs in a mount namespace of our own
# (root only), filled up, with a copy of the store in it.
FULL=$T/full
mkdir "$FULL"
if is_root && unshare -m true 2>/dev/null; then
	unshare -m sh -c '
		mount -t tmpfs -o size=256k tmpfs "$1" || exit 99
		cp "$2" "$1/p.accord" || exit 98
		dd if=/dev/zero of="$1/fill" bs=4k 2>/dev/null
		"$3" status "$1/p.accord"' sh "$FULL" "$DB" "$ACCORD" \
	    >"$T/out" 2>"$T/err"
	RC=$?
	if [ $RC -ge 98 ]; then
		skip "a full disk is named as one" "cannot mount a tmpfs here"
	else
		ok_if "a full disk: 'disk full', with the directory" \
		    one_line "$FULL/p.accord: disk full: no room left in $FULL"
	fi
else
	skip "a full disk is named as one" "needs root and unshare -m"
fi

U=$(test_user msgs)
if ensure_user "$U"; then
	cp "$DB" "$T/closed.accord"
	chmod 000 "$T/closed.accord"
	run as "$U" "$ACCORD" status "$T/closed.accord"
	ok_if "chmod 000: permission denied, who and the mode" \
	    one_line "$T/closed.accord: permission denied: $U cannot read and write it (mode 0000, owner"
	chmod 444 "$T/closed.accord"
	run as "$U" "$ACCORD" status "$T/closed.accord"
	ok_if "read-only store: permission denied, mode 0444" \
	    one_line "permission denied: $U cannot read and write it (mode 0444"
	mkdir -m 700 "$T/private"
	cp "$DB" "$T/private/p.accord"
	run as "$U" "$ACCORD" status "$T/private/p.accord"
	ok_if "a closed directory: permission denied, not 'no such store'" \
	    one_line "$T/private/p.accord: permission denied: a directory on its path is closed to $U"
	mkdir "$T/ro"
	cp "$DB" "$T/ro/p.accord"
	rm -f "$T/ro/p.accord-wal" "$T/ro/p.accord-shm"
	chmod 666 "$T/ro/p.accord"
	chmod 555 "$T/ro"
	run as "$U" "$ACCORD" status "$T/ro/p.accord"
	ok_if "a read-only directory: the -shm file it cannot create, the directory" \
	    one_line "$T/ro/p.accord: permission denied: cannot create the store's -shm file in $T/ro"
	chmod 755 "$T/ro"
else
	skip "permission failures as another OS user" "$WHY"
fi

# --- invisible format characters and C1 controls -----------------------
R=$T/r
mkdir "$R"
cp "$IMG/img_001.jpg" "$R/cat${RLO}gnp.jpg"
cp "$IMG/img_002.jpg" "$R/c1${C1}x.jpg"
RDB=$T/r.accord
"$ACCORD" init "$RDB" --task "task${RLO}x" --media image \
    --classes "ok,scr${RLO}atch" >"$T/init.out"
ok_if "init: the task's U+202E shown as '?'" \
    sh -c "grep -qF 'task?x' '$T/init.out' && ! grep -qF '$RLO' '$T/init.out'"
"$ACCORD" import "$RDB" "$R"/*.jpg --batch "wk${RLO}1" >"$T/import.out" 2>&1
ok_if "import: the batch's U+202E shown as '?'" \
    sh -c "grep -qF 'batch wk?1' '$T/import.out' && ! grep -qF '$RLO' '$T/import.out'"
printf 'ok,note %sevil\nok\n' "$RLO" | "$ACCORD" label "$RDB" --script - \
    >"$T/script.out"
ok_if "label --script prints the file names escaped" \
    sh -c "grep -qF 'cat?gnp.jpg' '$T/script.out' && ! grep -qF '$RLO' '$T/script.out'"
run "$ACCORD" items "$RDB"
ok_if "items: U+202E and U+009B in file names shown as '?'" \
    sh -c "grep -qF 'cat?gnp.jpg' '$T/out' && grep -qF 'c1?x.jpg' '$T/out' && ! grep -qF -e '$RLO' -e '$C1' '$T/out'"
run "$ACCORD" items "$RDB" --json
ok_if "items --json: U+202E and U+009B as \\u escapes" \
    sh -c "grep -qF 'cat\\u202egnp.jpg' '$T/out' && grep -qF 'c1\\u009bx.jpg' '$T/out' && ! grep -qF -e '$RLO' -e '$C1' '$T/out'"
run "$ACCORD" labels dump "$RDB"
ok_if "labels dump: the note's U+202E shown as '?'" \
    sh -c "grep -qF 'note ?evil' '$T/out' && ! grep -qF '$RLO' '$T/out'"
run "$ACCORD" labels dump "$RDB" --json
ok_if "labels dump --json: the note's U+202E as \\u202e" \
    sh -c "grep -qF 'note \\u202eevil' '$T/out' && ! grep -qF '$RLO' '$T/out'"
run "$ACCORD" status "$RDB"
ok_if "status: task, class and batch names escaped" \
    sh -c "grep -qF 'task?x' '$T/out' && grep -qF 'scr?atch' '$T/out' && grep -qF 'wk?1' '$T/out' && ! grep -qF '$RLO' '$T/out'"
run "$ACCORD" agree "$RDB"
ok_if "agree: task and class names escaped" \
    sh -c "grep -qF 'task?x' '$T/out' && grep -qF 'scr?atch' '$T/out' && ! grep -qF '$RLO' '$T/out'"
run "$ACCORD" agree "$RDB" --json
ok_if "agree --json: U+202E as \\u202e" \
    sh -c "grep -qF 'task\\u202ex' '$T/out' && ! grep -qF '$RLO' '$T/out'"
run "$ACCORD" gold "$RDB" add 1 "scr${RLO}atch"
ok_if "gold add: the class name escaped" \
    sh -c "[ $RC -eq 0 ] && grep -qF 'item 1 is gold: scr?atch' '$T/out' && ! grep -qF '$RLO' '$T/out'"
run "$ACCORD" gold "$RDB" list
ok_if "gold list: class and path escaped" \
    sh -c "grep -qF 'scr?atch' '$T/out' && grep -qF -e 'cat?gnp.jpg' -e 'c1?x.jpg' '$T/out' && ! grep -qF -e '$RLO' -e '$C1' '$T/out'"
run "$ACCORD" adjudicate "$RDB" 2 --class "scr${RLO}atch"
ok_if "adjudicate: the class name escaped" \
    sh -c "[ $RC -eq 0 ] && grep -qF 'item 2: scr?atch' '$T/out' && ! grep -qF '$RLO' '$T/out'"
