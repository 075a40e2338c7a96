# tests/lib.sh: sourced by the shell tests.  Gives a fresh work directory
# $T (removed on exit), $ACCORD (the sanitized binary), and checks that
# print "ok - NAME" / "not ok - NAME: why" for tests/run.sh to count.
set -u
: "${ROOT:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${ACCORD:=$ROOT/build/asan/accord}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1}"
T=$(mktemp -d /tmp/accord-test.XXXXXX)
chmod 755 "$T"
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 2

pass() { echo "ok - $1"; }
fail() { echo "not ok - $1${2:+: $2}"; }

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

# as USER CMD...: run CMD as another real OS user (created if missing; needs
# root).  Stores stay writable for them: tests make $T world-writable.
ensure_user() {
	id "$1" >/dev/null 2>&1 && return 0
	useradd --no-create-home --shell /usr/sbin/nologin "$1" >/dev/null 2>&1
}
as() {
	u=$1
	shift
	runuser -u "$u" -- env ASAN_OPTIONS="$ASAN_OPTIONS" "$@"
}
is_root() { [ "$(id -u)" -eq 0 ]; }
