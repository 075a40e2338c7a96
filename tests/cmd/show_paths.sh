# accord config show-paths (issue 17): what the label screen shows of an
# item's file.  A new project starts at none (written at init, in the same
# transaction as the other settings), a store made before the setting
# reads full, as a default, so it keeps its behaviour; the three values
# are taken, anything else is refused in one line; only an admin sets it,
# and the change is audited.  What each value shows on the screen:
# tests/e2e/layout_80x24.sh.
. "$(dirname "$0")/../lib.sh"
need_commands sqlite3

DB=$T/p.accord
run "$ACCORD" init "$DB" --task t --media image --classes ok,bad
ok_if "set-up: init" rc_is 0
ok_if "init writes show-paths none, with the other settings" sql_is \
	"SELECT value || '|' || (set_at = (SELECT set_at FROM settings WHERE
	    key = 'task')) FROM settings WHERE key = 'show-paths'" "none|1"
run "$ACCORD" config "$DB" show-paths
ok_if "config prints it: none" eval 'rc_is 0 && [ "$(cat "$T/out")" = none ]'
run "$ACCORD" config "$DB"
ok_if "config lists it, set at init" eval \
	'rc_is 0 && out_has "^show-paths none	set by "'

for v in basename full none; do
	run "$ACCORD" config "$DB" show-paths $v
	ok_if "show-paths takes $v" eval \
		'rc_is 0 && [ "$(cat "$T/out")" = "show-paths = $v" ]'
done
ok_if "each change is a row and an audit row" sql_is \
	"SELECT (SELECT group_concat(value, ',') FROM (SELECT value FROM
	    settings WHERE key = 'show-paths' ORDER BY id)) || '|' ||
	    (SELECT count(*) FROM audit WHERE action = 'setting' AND
	    detail LIKE 'show-paths from %')" "none,basename,full,none|3"
for v in some FULL ""; do
	run "$ACCORD" config "$DB" show-paths "$v"
	ok_if "show-paths refuses '$v': one line naming the store, nothing written" \
		eval 'rc_is 1 && err_lines 1 &&
		err_has "^accord: $DB: show-paths is full, basename or none, not '"'$v'"'" &&
		sql_is "SELECT count(*) FROM settings WHERE key = '"'show-paths'"'" 4'
done
run "$ACCORD" config "$DB" shows-paths none
ok_if "a misspelt key is refused, naming show-paths among the settings" \
	eval 'rc_is 1 && err_lines 1 && err_has "show-paths"'

if is_root; then
	LAB=$(test_user splab)
	if ensure_user $LAB; then
		chmod 777 "$T"
		"$ACCORD" member "$DB" add $LAB >/dev/null
		chmod 666 "$DB"*
		run as $LAB "$ACCORD" config "$DB" show-paths full
		ok_if "a labeler may not change it (refused, audited)" eval \
			'rc_is 1 && err_lines 1 && sql_is "SELECT count(*) FROM audit WHERE
			user = '"'$LAB'"' AND action = '"'refused'"'" 1'
		run as $LAB "$ACCORD" config "$DB" show-paths
		ok_if "a labeler reads it" eval 'rc_is 0 && [ "$(cat "$T/out")" = none ]'
	else
		skip "a labeler may not change it" "$WHY"
	fi
else
	skip "a labeler may not change it" "needs root to run as another user"
fi

# A store made before the setting: no row.  Made here from a copy whose
# append-only trigger is dropped to take the row out.
OLD=$T/old.accord
cp "$DB" "$OLD"
sqlite3 "$OLD" "DROP TRIGGER settings_no_delete;
    DELETE FROM settings WHERE key = 'show-paths'"
run "$ACCORD" config "$OLD" show-paths
ok_if "a store without the row reads full: it keeps showing paths" eval \
	'rc_is 0 && [ "$(cat "$T/out")" = full ]'
run "$ACCORD" config "$OLD"
ok_if "and lists it as the default" eval \
	'rc_is 0 && out_has "^show-paths full	(default)"'
