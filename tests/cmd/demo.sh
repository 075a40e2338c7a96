# make demo's script, run with the sanitized binary into a scratch
# directory: the demo projects hold what the README promises.
. "$(dirname "$0")/../lib.sh"

( cd "$ROOT" && DEMO_DIR="$T/demo" sh scripts/demo.sh ) >"$T/out" 2>"$T/err" </dev/null
RC=$?
ok_if "demo script runs clean" sh -c "[ $RC -eq 0 ] && [ ! -s '$T/err' ]"
DB=$T/demo/images.accord
ok_if "60 images" sql_is "SELECT count(*) FROM items WHERE kind = 'image'" "60"
ok_if "every image format the importer supports is in the demo" \
	sql_is "SELECT count(DISTINCT format || depth || channels) >= 5 FROM items" "1"
ok_if "180 image labels from alice, bob, carol" \
	sql_is "SELECT count(*), group_concat(DISTINCT labeler) FROM current_labels" "180|alice,bob,carol"
ok_if "metadata joined: 20 items from the dark camera cam-c" \
	sql_is "SELECT count(*) FROM current_meta WHERE key = 'camera' AND value = 'cam-c'" "20"
ok_if "cam-c images are darker than the rest" sql_is "
	SELECT (SELECT avg(b.value) FROM current_meta b JOIN current_meta c ON c.item = b.item AND c.key = 'camera' AND c.value = 'cam-c' WHERE b.key = 'brightness')
	     < (SELECT avg(b.value) FROM current_meta b JOIN current_meta c ON c.item = b.item AND c.key = 'camera' AND c.value != 'cam-c' WHERE b.key = 'brightness')" "1"
ok_if "labelers disagree on some items (>= 10 with 2+ classes)" \
	sql_is "SELECT count(*) >= 10 FROM (SELECT item FROM current_labels GROUP BY item HAVING count(DISTINCT class) > 1)" "1"
ok_if "the borderline class is used" \
	sql_is "SELECT count(*) > 0 FROM current_labels l JOIN classes c ON c.id = l.class WHERE c.is_borderline" "1"
DB=$T/demo/audio.accord
ok_if "40 clips in wav, flac and ogg" sql_is "SELECT count(*), count(DISTINCT format) FROM items" "40|3"
ok_if "120 audio labels" sql_is "SELECT count(*) FROM current_labels" "120"
ok_if "clipped clips measure clipping" sql_is "SELECT count(*) >= 5 FROM current_meta WHERE key = 'clipped' AND value > 0" "1"
ok_if "status printed for both projects" sh -c "grep -q 'surface defects' '$T/out' && grep -q 'speech quality' '$T/out'"
ok_if "agreement per camera printed, with a slice per camera" sh -c "grep -q 'Fleiss' '$T/out' && [ \$(grep -cE '^  cam-[abc] ' '$T/out') -eq 3 ]"
