# No orphans (issue 17): when the terminal goes away, with or without a
# SIGHUP, and on SIGHUP or SIGTERM, the label, review and stats screens
# release their leases and exit within a second or two, instead of spinning
# on a dead terminal for ever.  Killing a tmux session or server hangs up
# the pane's tty; the kernel sends SIGHUP to the session leader (the
# pane's shell) only, and to the foreground group when that leader dies.
# A leader that outlives the hangup (an interactive shell under `su`, here
# the pane's shell with "trap '' HUP": HUP=keep) leaves accord no signal,
# only EOF on every read: the case the old code spun in.
# Real OS users in a private tmux server (tests/e2e/tmux.lib); processes
# are found by user (pgrep -u), leases in the store.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/e2e/tmux.lib"

need_commands tmux runuser sqlite3 pgrep
L1=$(test_user orph)
SME=$(test_user orphsme)
ensure_user $L1 $SME || skip_all "the screens run as real OS users: $WHY"
trap 'tm_stop; lib_cleanup' EXIT
export LC_ALL=C.UTF-8
chmod 777 "$T"

DB=$T/o.accord
tm_demo_project "$DB" "e2e orphans" $L1 $SME
q1() { sqlite3 -batch -noheader "$DB" "$1"; }
has_item() { [ -n "$(tm_path "$1")" ]; }
leases() { q1 "SELECT count(*) FROM leases WHERE user = '$1'"; }
procs() { pgrep -u "$1" -x accord | tr '\n' ' ' | sed 's/ $//'; }

# gone WHAT USER: within 2 s no accord of USER is left; a survivor (the
# old code's orphan, spinning) is reported with its CPU time, then ended
# by its pid so the next case starts clean.
gone() {
	_end=$(($(date +%s%N) + 2000000000))
	while [ -n "$(procs "$2")" ] && [ "$(date +%s%N)" -lt "$_end" ]; do
		sleep 0.05
	done
	_left=$(procs "$2")
	if [ -z "$_left" ]; then
		pass "$1: no accord process of the user is left after 2 s"
		return 0
	fi
	fail "$1: no accord process of the user is left after 2 s" \
	    "left: $(ps -o pid=,pcpu=,time=,args= -p "$(echo $_left | tr ' ' ,)" | head -c 300); threads (state wchan): $(ps -L -o stat=,wchan= -p "$(echo $_left | tr ' ' ,)" | tr -s ' \n' ' ')"
	for _p in $_left; do kill -KILL "$_p" 2>/dev/null; done
	sleep 0.2
	return 1
}

# label_started NAME: the label screen shows an item, and it holds leases
# (the item on screen and the ones the loader prepared).
label_started() {
	if tm_wait "$1" "classes (key: label)" && tm_until "$1" has_item "$1" &&
	    [ "$(leases $L1)" -gt 0 ]; then
		pass "$1: label shows an item and holds leases"
	else
		fail "$1: label shows an item and holds leases" \
		    "leases $(leases $L1); $(head -c 300 "$T/$1.err")"
	fi
}

KEEP="trap '' HUP"

# 1. The tmux session is killed under the label screen, after one label,
# with no SIGHUP; 1b. the same, the pane's shell dying of its SIGHUP.
TM_PRELUDE=$KEEP tm_start a $L1 -- label "$DB"
label_started a
tm_next a 1
tm kill-session -t a
gone "killed session, no SIGHUP, label" $L1
check "killed session: no lease of the labeler is left" 0 "$(leases $L1)"
check "killed session: the label made before is kept" 1 \
	"$(q1 "SELECT count(*) FROM current_labels WHERE labeler = '$L1'")"
tm_start a2 $L1 -- label "$DB"
label_started a2
tm kill-session -t a2
gone "killed session, SIGHUP from the shell's exit, label" $L1
check "killed session (SIGHUP): no lease of the labeler is left" 0 \
	"$(leases $L1)"

# 2. The whole tmux server is killed, no SIGHUP.
TM_PRELUDE=$KEEP tm_start b $L1 -- label "$DB"
label_started b
tm kill-server
gone "killed server, no SIGHUP, label" $L1
check "killed server: no lease of the labeler is left" 0 "$(leases $L1)"

# 3. SIGHUP to accord itself: it quits the normal way, the terminal
# restored ("[exit 0]" printed by the pane's shell after it).
tm_start c $L1 -- label "$DB"
label_started c
kill -HUP $(procs $L1)
gone "SIGHUP, label" $L1
check "SIGHUP: no lease of the labeler is left" 0 "$(leases $L1)"
tm_exited c 3
check "SIGHUP: accord exits 0" 0 "$TM_RC"
tm kill-session -t c

# 4. SIGTERM while the note editor is open (a modal loop of its own).
tm_start d $L1 -- label "$DB"
label_started d
tm send-keys -t d n
tm send-keys -t d -l "half a no"
tm_wait d "note: half a no"
kill -TERM $(procs $L1)
gone "SIGTERM in the note editor, label" $L1
check "SIGTERM: no lease of the labeler is left" 0 "$(leases $L1)"
tm_exited d 3
check "SIGTERM: accord exits 0" 0 "$TM_RC"
tm kill-session -t d

# 5. The session is killed while the note editor is open, no SIGHUP.
TM_PRELUDE=$KEEP tm_start e $L1 -- label "$DB"
label_started e
tm send-keys -t e n
tm_wait e "note:"
tm kill-session -t e
gone "killed session in the note editor, no SIGHUP, label" $L1
check "killed session in the editor: no lease is left" 0 "$(leases $L1)"

# 8. EIO, no hang-up: another process group takes the terminal's
# foreground (a helper of the pane's shell, once $T/steal.go exists), and
# accord, in the background with SIGTTIN ignored as a shell may leave it,
# gets EIO from every read once a key is typed: the terminal is there
# but accord can never read it again.
cat >"$T/steal.py" <<'EOF'
import os, signal, sys, time
go, pidfile = sys.argv[1], sys.argv[2]
open(pidfile, "w").write("%d\n" % os.getpid())
while not os.path.exists(go):
    time.sleep(0.02)
signal.signal(signal.SIGTTOU, signal.SIG_IGN)
os.setpgid(0, 0)
fd = os.open("/dev/tty", os.O_RDWR)
os.tcsetpgrp(fd, os.getpgrp())
open(go + ".done", "w").close()
time.sleep(60)
EOF
rm -f "$T/steal.go" "$T/steal.go.done"
TM_PRELUDE="trap '' TTIN; python3 $T/steal.py $T/steal.go $T/steal.pid </dev/null >/dev/null 2>&1 &" \
    tm_start f $L1 -- label "$DB"
label_started f
: >"$T/steal.go"
tm_until f test -e "$T/steal.go.done"
ok_if "EIO: accord still runs in the background (no key yet)" \
    sh -c "sleep 1; [ -n \"\$(pgrep -u $L1 -x accord)\" ]"
tm send-keys -t f j
gone "EIO from reads, label" $L1
check "EIO: no lease of the labeler is left" 0 "$(leases $L1)"
kill "$(cat "$T/steal.pid")" 2>/dev/null
tm kill-session -t f

# 6. The review screen (an SME) and 7. the stats screen, session killed,
# no SIGHUP, with the demo's labels to review and count.
"$ACCORD" labels import "$DB" "$ROOT/assets/demo/labels-images.csv" \
    >/dev/null || fail "set-up: the demo's labels"
TM_PRELUDE=$KEEP tm_start r $SME -- review "$DB"
ok_if "review: the screen is up" tm_wait r "review"
sleep 0.5
tm kill-session -t r
gone "killed session, no SIGHUP, review" $SME
TM_PRELUDE=$KEEP tm_start s $SME -- stats "$DB" --bootstrap 0
ok_if "stats: the screen is up" tm_wait s "stats"
sleep 0.5
tm kill-session -t s
gone "killed session, no SIGHUP, stats" $SME

reports=$(grep -l -E 'Sanitizer|runtime error' "$T"/*.err 2>/dev/null | tr '\n' ' ')
check "no sanitizer report" "" "$reports"
