# tests/pglib.sh: a throwaway PostgreSQL cluster for a test, sourced after
# tests/lib.sh.
#
# pg_start: an OS user of this run (test_user pg) runs initdb in a fresh
# directory under ${TMPDIR:-/tmp} and starts the server on a Unix socket
# in it only (no TCP), with peer authentication for every local
# connection; exports PGHOST and PGPORT, and PG_SUPER (the superuser role,
# which is that OS user's name).  pg_stop stops the server and removes the
# directory; pg_start installs it in the EXIT trap (before lib_cleanup),
# so nothing is left behind when a check fails or the script is stopped.
# The server runs with fsync=off (tests need no durability from a cluster
# they throw away) unless PG_FSYNC=on, as the benchmarks set it, so that
# a commit costs what it costs a team; PG_OPTIONS adds server options
# ("-c shared_buffers=256MB").  No system service is used or touched.  Without root (no other OS users)
# or without PostgreSQL's programs, the whole script is skipped.
#
# pg_login NAME...: OS users (ensure_user) with a login role of the same
# name each, so peer authentication maps the OS user to the role.
# psql_as USER DB SQL: runs SQL as OS user USER with psql on DB, stopping
# at the first error; stdout in $T/out, stderr in $T/err, status in $RC.

: "${PG_BINDIR:=$(pg_config --bindir 2>/dev/null)}"
[ -x "$PG_BINDIR/initdb" ] ||
    PG_BINDIR=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | tail -n 1)
PG_DIR=

pg_stop() {
	[ -n "$PG_DIR" ] || return 0
	if [ -f "$PG_DIR/data/postmaster.pid" ]; then
		as "$PG_SUPER" "$PG_BINDIR/pg_ctl" -D "$PG_DIR/data" \
		    -m immediate -w -t 20 stop >/dev/null 2>&1 ||
		    kill -KILL "$(head -n 1 "$PG_DIR/data/postmaster.pid")" \
		    2>/dev/null
	fi
	rm -rf "$PG_DIR"
	PG_DIR=
}

pg_start() {
	is_root || skip_all "a throwaway PostgreSQL cluster runs as another OS user: needs root"
	[ -x "$PG_BINDIR/initdb" ] && [ -x "$PG_BINDIR/pg_ctl" ] ||
	    skip_all "needs PostgreSQL's initdb and pg_ctl (postgresql-15), not found"
	need_commands psql
	PG_SUPER=$(test_user pg)
	ensure_user "$PG_SUPER" || skip_all "$WHY"
	PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/accord-pg.XXXXXX") || exit 2
	trap 'pg_stop; lib_cleanup' EXIT
	chmod 755 "$PG_DIR"
	chown "$PG_SUPER" "$PG_DIR"
	# A private socket directory: the port only names the socket file in
	# it, so any number is free.
	PGPORT=$((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000))
	PGHOST=$PG_DIR
	export PGHOST PGPORT
	if ! as "$PG_SUPER" "$PG_BINDIR/initdb" -D "$PG_DIR/data" -E UTF8 \
	    --locale=C --auth-local=peer --auth-host=reject \
	    >"$PG_DIR/initdb.log" 2>&1; then
		fail "pg_start: initdb" "$(tail -n 5 "$PG_DIR/initdb.log" | tr '\n' '|')"
		exit 1
	fi
	echo "local all all peer" >"$PG_DIR/data/pg_hba.conf"
	if ! as "$PG_SUPER" "$PG_BINDIR/pg_ctl" -D "$PG_DIR/data" \
	    -l "$PG_DIR/server.log" -w -t 60 -o "-k $PG_DIR -p $PGPORT \
	    -c listen_addresses= -c fsync=${PG_FSYNC:-off} \
	    ${PG_OPTIONS:-}" start >/dev/null 2>&1; then
		fail "pg_start: pg_ctl start" "$(tail -n 5 "$PG_DIR/server.log" | tr '\n' '|')"
		exit 1
	fi
}

# psql_as USER DB SQL
psql_as() {
	as "$1" psql -X -q -At -v ON_ERROR_STOP=1 -d "$2" -c "$3" \
	    >"$T/out" 2>"$T/err" </dev/null
	RC=$?
	return 0
}

# pg_login NAME...
pg_login() {
	for _l in "$@"; do
		ensure_user "$_l" || return 1
		psql_as "$PG_SUPER" postgres "CREATE ROLE \"$_l\" LOGIN"
		[ "$RC" -eq 0 ] || { WHY="CREATE ROLE $_l: $(cat "$T/err")"; return 1; }
	done
}

# same NAME CMD ARGS...: CMD, run by acc() (the caller's) on the SQLite
# store $DB and then on the PostgreSQL store $U, prints the same (the
# store's name, the times and an import's speed aside) with the same
# status, which is SAME_RC (default 0).
same() {
	_n=$1
	shift
	_c=$1
	shift
	acc $_c "$DB" "$@" >"$T/a" 2>&1
	_ra=$?
	acc $_c "$U" "$@" >"$T/b" 2>&1
	_rb=$?
	sed -i "s|$U|STORE|g; s|$DB|STORE|g; s/20[0-9-]*T[0-9:.]*Z/TIME/g; s/ in [0-9.]* s ([0-9.]* files\/s, [0-9.]* MB\/s)/ in TIME/" \
	    "$T/a" "$T/b"
	if [ "$_ra" -eq "${SAME_RC:-0}" ] && [ "$_rb" -eq "$_ra" ] &&
	    cmp -s "$T/a" "$T/b"; then
		pass "$_n"
	else
		fail "$_n" "status $_ra/$_rb; $(diff "$T/a" "$T/b" | head -4 | tr '\n' '|')"
	fi
}

# pg_schema1 DB ADMIN...: on stdout, SQL that makes in database DB the
# project an accord of PostgreSQL schema 1 would have made (the roles,
# migration 1, task/media/overlap settings, guideline 1, classes ok and
# bad, $PG_SUPER and each ADMIN as admins), in a transaction left open as
# the project's owner role: the caller adds the rest and COMMIT.  Needs
# $SCHEMA_SQL (build/asan/pg/schema_sql).
pg_schema1() {
	_db=$1
	shift
	_m="('$PG_SUPER', 'admin', 1, 'x', 'now')"
	for _a in "$@"; do _m="$_m, ('$_a', 'admin', 1, 'x', 'now')"; done
	echo "BEGIN;"
	"$SCHEMA_SQL" prepare "$_db"
	echo "SET LOCAL ROLE $("$SCHEMA_SQL" role "$_db" owner);"
	echo "SET LOCAL search_path = accord, pg_catalog;"
	"$SCHEMA_SQL" migration 1
	echo "INSERT INTO settings (key, value, set_by, set_at) VALUES ('task', 't', 'x', 'now'), ('media', 'image', 'x', 'now'), ('overlap', '1', 'x', 'now'), ('ordinal', '0', 'x', 'now');"
	echo "INSERT INTO guidelines VALUES (1, 'g', 'x', 'now', 'r');"
	echo "INSERT INTO classes (name, key, position) VALUES ('ok', '1', 0), ('bad', '2', 1);"
	echo "INSERT INTO members (\"user\", role, active, changed_by, changed_at) VALUES $_m;"
}
