# Issue 18 on the label screen: a file name holding U+202E (right-to-left
# override) is shown escaped, and never reaches the terminal as itself;
# the audio player accord starts inherits no descriptor of accord's (the
# ACCORD_TRACE file leaked into it): it sees 0, 1 and 2 only.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/e2e/tmux.lib"

need_commands tmux runuser
L1=$(test_user msgs1)
ensure_user $L1 || skip_all "the screen runs as a real OS user: $WHY"
trap 'tm_stop; [ -s "$T/play.pid" ] && kill "$(cat "$T/play.pid")" 2>/dev/null
lib_cleanup' EXIT
export LC_ALL=C.UTF-8
chmod 777 "$T"
RLO=$(printf '\342\200\256')

# project NAME MEDIA CLASSES: a store $T/NAME.accord with $L1 a labeler,
# showing paths in full.
project() {
	"$ACCORD" init "$T/$1.accord" --task "e2e $2" --media "$2" \
	    --classes "$3" >/dev/null &&
	    "$ACCORD" config "$T/$1.accord" show-paths full >/dev/null &&
	    chmod 666 "$T/$1.accord" &&
	    "$ACCORD" member "$T/$1.accord" add $L1 >/dev/null
}

# 1. U+202E in a file name on the label screen.
mkdir "$T/bidi"
cp "$ROOT/assets/demo/images/img_001.jpg" "$T/bidi/cat${RLO}gnp.jpg"
project bidi image ok,bad &&
    "$ACCORD" import "$T/bidi.accord" "$T/bidi" >/dev/null 2>&1
tm_start b $L1 -- label "$T/bidi.accord"
if tm_wait b "classes (key: label)"; then
	check_screen "the label screen shows U+202E in the path as ?" 1 \
	    eval 'tm_line b 1 | grep -cF "/cat?gnp.jpg"'
else
	fail "the label screen shows U+202E in the path as ?" \
	    "no screen: $(head -c 300 "$T/b.err" | tr '\n' '|')"
fi
tm send-keys -t b q
tm_exited b
check "U+202E never reached the terminal" 0 \
    "$(grep -cF "$RLO" "$T/b.raw")"

# 2. The player's descriptors, with ACCORD_TRACE open in accord.
project audio audio clean,noisy &&
    "$ACCORD" import "$T/audio.accord" \
    "$ROOT/assets/demo/audio/clip_002.wav" >/dev/null 2>&1
# The fake player becomes sleep (exec keeps the descriptors it was given,
# and dash's descriptor on this script is close-on-exec); its
# descriptors are read from outside, in /proc, so nothing of a reader's own
# is counted.
cat >"$T/fdplay" <<EOF
#!/bin/sh
echo \$\$ >"$T/play.pid.tmp"
mv "$T/play.pid.tmp" "$T/play.pid"
exec sleep 60
EOF
chmod 755 "$T/fdplay"
touch "$T/trace.log"
chmod 666 "$T/trace.log"
tm_start au $L1 ACCORD_PLAY="$T/fdplay" ACCORD_TRACE="$T/trace.log" -- \
    label "$T/audio.accord"
if tm_wait au "classes (key: label)"; then
	tm send-keys -t au Space
	has_pid() { [ -s "$T/play.pid" ]; }
	tm_until au has_pid
	pid=$(cat "$T/play.pid" 2>/dev/null)
	# exec sleep may not have happened yet: wait for it.
	is_sleep() { [ "$(cat /proc/$pid/comm 2>/dev/null)" = sleep ]; }
	tm_until au is_sleep
	fds=$(ls /proc/$pid/fd 2>/dev/null | sort -n | tr '\n' ' ' |
	    sed 's/ $//')
	check "the player inherits only 0, 1 and 2" "0 1 2" "$fds"
	check "not the ACCORD_TRACE file" "" \
	    "$(for f in /proc/$pid/fd/*; do readlink "$f"; done |
	    grep trace.log)"
else
	fail "the player inherits only 0, 1 and 2" \
	    "no screen: $(head -c 300 "$T/au.err" | tr '\n' '|')"
fi
tm send-keys -t au q
tm_exited au
