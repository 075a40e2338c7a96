# The set-up: make install, and the package helper's message for non-root.
. "$(dirname "$0")/../lib.sh"

make -C "$ROOT" --no-print-directory install DESTDIR="$T/dest" PREFIX=/usr >"$T/out" 2>&1
RC=$?
ok_if "make install puts the binary and man page under DESTDIR/PREFIX" \
	sh -c "[ $RC -eq 0 ] && [ -x '$T/dest/usr/bin/accord' ] && [ -f '$T/dest/usr/share/man/man1/accord.1' ]"
run "$T/dest/usr/bin/accord" --version
ok_if "installed binary runs" out_has "accord 0.1.0"
run man -l "$T/dest/usr/share/man/man1/accord.1"
ok_if "man page renders with every command" sh -c "for c in init member import status items label labels; do grep -q \"^ *\$c \" '$T/out' || exit 1; done"

if others_reach; then
	chmod 755 "$T"
	run runuser -u nobody -- env DEPS_EXTRA=accord-no-such-package sh "$ROOT/scripts/deps.sh" build
	ok_if "as non-root, deps names the missing package and exits 1" \
		sh -c "[ $RC -eq 1 ] && grep -q 'missing Debian packages: accord-no-such-package' '$T/err' && grep -q 'apt-get install accord-no-such-package' '$T/err'"
else
	skip "as non-root, deps names the missing package and exits 1" "$WHY"
fi
run sh "$ROOT/scripts/deps.sh" test
ok_if "with everything installed, deps says nothing and exits 0" sh -c "[ $RC -eq 0 ] && [ ! -s '$T/err' ]"
