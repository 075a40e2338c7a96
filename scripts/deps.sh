#!/bin/sh
# The Debian 12 packages accord needs, in one place.
#
#   scripts/deps.sh build   what `make` needs to build accord
#   scripts/deps.sh test    build + what `make test` and `make demo` use
#   scripts/deps.sh bench   test + what `make bench` compares against
#   scripts/deps.sh check build|test|bench
#                           name what is missing, install nothing
#
# Missing packages are installed when run as root (apt-get update once, then
# one apt-get install), except with `check`: plain `make` uses that, so that
# building never changes the system.  Otherwise it names the missing
# packages and the command to install them, and exits 1.
set -eu

install=yes
if [ "${1:-}" = check ]; then
	install=no
	shift
fi

# libpq-dev: the PostgreSQL store's client library (issue 15).
# libjansson-dev, libexpat1-dev: `labels import` of Label Studio, Prodigy
# and doccano JSON and of CVAT's XML (issue 18).
BUILD="make gcc pkg-config libncurses-dev libsqlite3-dev libpng-dev
libjpeg62-turbo-dev libsndfile1-dev libfftw3-dev libssl-dev ncurses-term
libpq-dev libjansson-dev libexpat1-dev"
# clang and its sanitizer runtime: `make test` builds with ASan+UBSan and
# checks the code also compiles warning-free under clang.  chromium: the
# agree --html test renders the page headless.  postgresql-15 (initdb,
# pg_ctl) and postgresql-client-15 (psql): the PostgreSQL tests start a
# throwaway cluster of their own (tests/pglib.sh); no service is used.
TEST="clang libclang-rt-14-dev sqlite3 tmux sox libsox-fmt-base espeak-ng
imagemagick flac vorbis-tools python3 passwd util-linux man-db
groff-base python3-nltk python3-sklearn python3-statsmodels
chromium python3-numpy python3-scipy valgrind strace postgresql-15
postgresql-client-15"
# chafa: the label-screen render benchmark compares against it.
BENCH="chafa"

case "${1:-build}" in
build) want="$BUILD" ;;
test) want="$BUILD $TEST" ;;
bench) want="$BUILD $TEST $BENCH" ;;
*) echo "usage: scripts/deps.sh [check] build|test|bench" >&2; exit 2 ;;
esac

# DEPS_EXTRA names more packages to require (tests use it to check the
# message for a package that is missing).
want="$want ${DEPS_EXTRA:-}"
missing=""
for p in $want; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$install" = yes ] && [ "$(id -u)" -eq 0 ]; then
	echo "deps: installing$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	log=$(mktemp)
	# shellcheck disable=SC2086
	if ! { apt-get update -qq && apt-get install -y -qq \
	    --no-install-recommends $missing; } >"$log" 2>&1; then
		cat "$log" >&2
		rm -f "$log"
		echo "deps: installing$missing failed" >&2
		exit 1
	fi
	rm -f "$log"
else
	echo "deps: missing Debian packages:$missing" >&2
	echo "deps: install them with: sudo apt-get install$missing" >&2
	exit 1
fi
