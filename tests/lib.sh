# tests/lib.sh: sourced by the shell tests.  Gives a fresh work directory
# $T under $TMPDIR (removed on exit), $ACCORD (the sanitized binary), checks
# that print "ok - NAME", "not ok - NAME: why" or "skip - NAME: why" for
# tests/run.sh to count, and the OS users a test runs accord as.
#
# OS users and groups: a test names them with test_user ROLE, a name of
# this run's own ("acc" + $ACCORD_TEST_ID + "-ROLE"), makes them with
# ensure_user / ensure_group and finds them removed, by name, when it
# exits.  A name that is already taken is never used nor removed: the
# checks that need it are skipped, saying why.
set -u
: "${ROOT:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${ACCORD:=$ROOT/build/asan/accord}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1}"
T=$(mktemp -d "${TMPDIR:-/tmp}/accord-test.XXXXXX") || exit 2
chmod 755 "$T"
# Beside $T, not in it (tests count the files in $T): $T_SHARED (mode
# 1777), the TMPDIR and HOME of the other OS users (as below,
# tests/e2e/tmux.lib), which may not write in $TMPDIR itself; and $_MADE,
# what this script made, one "user NAME" or "group NAME" a line.
T_SHARED=$T.tmp
_MADE=$T.made
mkdir -m 1777 "$T_SHARED" && (set -C && : >"$_MADE") || exit 2
cd "$T" || exit 2

# tests/run.sh exports one id for the whole run; a script run alone makes
# its own.  6 hex digits: two runs at once do not share a name.
if [ -z "${ACCORD_TEST_ID:-}" ]; then
	ACCORD_TEST_ID=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
	export ACCORD_TEST_ID
fi

pass() { echo "ok - $1"; }
fail() { echo "not ok - $1${2:+: $2}"; }
# skip NAME WHY: a check that could not run here; counted apart, never as
# a pass.
skip() { echo "skip - $1: $2"; }
# skip_all WHY: the whole script cannot run here: one skip line naming it,
# then exit 0.
skip_all() {
	skip "$(basename "$0") (every check)" "$1"
	exit 0
}
# need_commands CMD...: skip_all unless every CMD is installed.
need_commands() {
	for _c in "$@"; do
		command -v "$_c" >/dev/null 2>&1 ||
		    skip_all "needs $_c, which is not installed"
	done
}

# run CMD...: runs it, keeping stdout in $T/out, stderr in $T/err, status in $RC
run() {
	"$@" >"$T/out" 2>"$T/err"
	RC=$?
	return 0
}

# ok_if NAME CONDITION-COMMAND...: pass when the command succeeds; on failure
# show the last run's status and stderr to help the reader.
ok_if() {
	name=$1
	shift
	if "$@"; then
		pass "$name"
	else
		fail "$name" "rc=${RC:-?} err=$(head -c 300 "$T/err" 2>/dev/null | tr '\n' '|')"
	fi
}

# Condition helpers for ok_if.
rc_is() { [ "$RC" -eq "$1" ]; }
out_has() { grep -q -- "$1" "$T/out"; }
err_has() { grep -q -- "$1" "$T/err"; }
err_lines() { [ "$(wc -l <"$T/err")" -eq "$1" ]; }
sql() { sqlite3 -batch -noheader "$DB" "$@"; }
sql_is() { _sq=$(sqlite3 -batch -noheader "$DB" "$1"); [ "$_sq" = "$2" ] || { echo "# sql: $1 -> '$_sq', expected '$2'" >&2; RC="sql:$_sq"; return 1; }; }

is_root() { [ "$(id -u)" -eq 0 ]; }

# test_user ROLE: this run's OS user name for ROLE (ROLE: at most 22
# characters of [a-z0-9_-]; the name is at most 32).
test_user() { echo "acc$ACCORD_TEST_ID-$1"; }

# others_reach: root, and every directory above $T lets other users
# through, so the OS users a test runs as can reach its files (a TMPDIR
# of mode 700 does not).  1 with the reason in $WHY otherwise.
others_reach() {
	if ! is_root; then
		WHY="running as other OS users needs root"
		return 1
	fi
	_d=$(cd "$T" && pwd -P)
	while [ "$_d" != / ]; do
		_d=$(dirname "$_d")
		case $(stat -L -c %A "$_d") in
		?????????[xt]*) ;;
		*)
			WHY="$_d ($(stat -L -c %A "$_d")) is closed to"
			WHY="$WHY other users: set TMPDIR to one they can reach"
			return 1 ;;
		esac
	done
}

# _ours KIND NAME: this script, or this run (tests/run.sh's list in
# $ACCORD_TEST_MADE), made NAME, which exists; an earlier script's leftover
# is this script's now.
_ours() {
	grep -qx "$1 $2" "$_MADE" && return 0
	[ -n "${ACCORD_TEST_MADE:-}" ] &&
	    grep -qx "$1 $2" "$ACCORD_TEST_MADE" || return 1
	echo "$1 $2" >>"$_MADE"
}

# _account KIND NAME CMD...: make an OS user or group NAME with CMD (a
# free name, others_reach), recording it.  Otherwise 1 with the reason
# in $WHY; a command that fails is also a "not ok" line.
_account() {
	_k=$1 _n=$2
	shift 2
	if getent passwd "$_n" >/dev/null || getent group "$_n" >/dev/null; then
		_ours "$_k" "$_n" && return 0
		WHY="the name $_n is taken and not this run's: left alone"
		return 1
	fi
	others_reach || return 1
	# Another run may hold the lock on /etc/passwd (exit 10): try again.
	_try=0
	until _err=$("$@" 2>&1); do
		_try=$((_try + 1))
		case $_err in
		*lock*) [ "$_try" -lt 20 ] && { sleep 0.2; continue; } ;;
		esac
		WHY="$1 $_n failed: $(echo "$_err" | tr '\n' ' ')"
		fail "make OS $_k $_n" "$WHY"
		return 1
	done
	echo "$_k $_n" >>"$_MADE"
	[ -z "${ACCORD_TEST_MADE:-}" ] || echo "$_k $_n" >>"$ACCORD_TEST_MADE"
}

# ensure_user NAME...: each NAME (from test_user) exists and is this
# script's, to be removed on exit.  1 with $WHY when it cannot be.
ensure_user() {
	for _u in "$@"; do
		_account user "$_u" useradd --no-create-home \
		    --shell /usr/sbin/nologin "$_u" || return 1
	done
}
# ensure_group NAME: the same for a group.
ensure_group() { _account group "$1" groupadd "$1"; }

# _drop KIND NAME: removes the OS user or group NAME, which this script
# made.  userdel refuses while a process of the user runs: every one is
# this test's (so is the user) and is ended, TERM first, KILL after 1 s;
# another run may hold the lock on /etc/passwd.  Tries for 5 s.
_drop() {
	_db=passwd _del=userdel
	[ "$1" = group ] && _db=group _del=groupdel
	_try=0
	while getent "$_db" "$2" >/dev/null; do
		_err=$($_del "$2" 2>&1) && return 0
		if [ "$_try" -ge 50 ]; then
			fail "remove OS $1 $2" "$_err"
			return 1
		fi
		_pids=
		[ "$1" = group ] || _pids=$(ps -o pid= -u "$2" -U "$2")
		_sig=TERM
		[ "$_try" -ge 10 ] && _sig=KILL
		[ -z "$_pids" ] || kill -s "$_sig" $_pids 2>/dev/null
		_try=$((_try + 1))
		sleep 0.1
	done
}

# drop_made: removes every user, then every group, this script made.
drop_made() {
	[ -s "$_MADE" ] || return 0
	for _k in user group; do
		sed -n "s/^$_k //p" "$_MADE" | sort -u |
		    while read -r _n; do _drop "$_k" "$_n"; done
	done
	: >"$_MADE"
}

# lib_cleanup: the EXIT trap; a test with its own EXIT trap calls it last.
lib_cleanup() {
	drop_made
	rm -rf "$T" "$T_SHARED" "$_MADE"
}
trap lib_cleanup EXIT
trap 'exit 2' INT TERM HUP

# as USER CMD...: run CMD as another real OS user (made by ensure_user).
# Stores stay writable for them: tests make $T world-writable.
as() {
	u=$1
	shift
	runuser -u "$u" -- env ASAN_OPTIONS="$ASAN_OPTIONS" \
	    TMPDIR="$T_SHARED" "$@"
}
