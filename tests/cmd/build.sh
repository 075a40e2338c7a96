# The set-up: make install, and the package helper's message for non-root.
. "$(dirname "$0")/../lib.sh"

make -C "$ROOT" --no-print-directory WERROR=1 install DESTDIR="$T/dest" PREFIX=/usr >"$T/out" 2>&1
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

# `make` builds and nothing else: no package install, even as root, and
# `make -n` writes nothing at all (issue 13).
run env DEPS_EXTRA=accord-no-such-package sh "$ROOT/scripts/deps.sh" check build
ok_if "deps.sh check names a missing package, installs nothing, exits 1" \
	sh -c "[ $RC -eq 1 ] && grep -q 'missing Debian packages: accord-no-such-package' '$T/err' && ! grep -q 'installing' '$T/err'"
mkdir "$T/tree"
(cd "$ROOT" && tar cf - --exclude=./build --exclude=./.git --exclude=./accord \
	--exclude=./core/libaccord.a .) | tar xf - -C "$T/tree"
if [ -f "$T/tree/Makefile" ]; then
	run make -C "$T/tree" -n
	ok_if "make -n writes nothing and runs no install" \
		sh -c "[ $RC -eq 0 ] && [ ! -e '$T/tree/build' ] && ! grep -q 'deps.sh build\|apt-get' '$T/out'"
	run make -C "$T/tree" -j2 core/libaccord.a
	ok_if "make builds the library without -Werror by default" \
		sh -c "[ $RC -eq 0 ] && ! grep -q Werror '$T/tree/build/obj/flags'"
	rm -f "$T/tree/build/obj/core/split.o"
	run make -C "$T/tree" core/libaccord.a
	ok_if "a deleted object is rebuilt" \
		sh -c "[ $RC -eq 0 ] && [ -f '$T/tree/build/obj/core/split.o' ] && grep -q 'core/split.c' '$T/out'"
	run make -C "$T/tree" WERROR=1 core/libaccord.a
	ok_if "WERROR=1 (make test, CI) rebuilds with -Werror" \
		sh -c "[ $RC -eq 0 ] && grep -q Werror '$T/tree/build/obj/flags' && grep -q 'core/split.c' '$T/out'"
else
	fail "copy the source tree for the build checks" "no Makefile in the copy"
fi
