#!/bin/sh
# make demo: build two demo projects under build/demo from assets/demo,
# the surface-defect images and the speech-quality clips, each with its
# metadata and the labels of three simulated labelers (alice, bob, carol),
# then print their status.  On a terminal, open the labeling screen when
# this accord has one.
set -eu
cd "$(dirname "$0")/.."
A=${ACCORD:-./accord}
D=${DEMO_DIR:-build/demo}
S=assets/demo

rm -rf "$D"
mkdir -p "$D"

"$A" init "$D/images.accord" --task "surface defects" --media image \
	--classes ok,scratch,dent --borderline unsure --overlap 3 \
	--guideline "$S/guideline-images.md"
"$A" import "$D/images.accord" "$S/images" --meta "$S/images.csv" --batch demo
"$A" labels import "$D/images.accord" "$S/labels-images.csv"

"$A" init "$D/audio.accord" --task "speech quality" --media audio \
	--classes clean,noisy,clipped --borderline unsure --overlap 3 \
	--guideline "$S/guideline-audio.md"
"$A" import "$D/audio.accord" "$S/audio" --meta "$S/audio.csv" --batch demo
"$A" labels import "$D/audio.accord" "$S/labels-audio.csv"

echo
echo "== $D/images.accord =="
"$A" status "$D/images.accord"
echo
echo "== $D/audio.accord =="
"$A" status "$D/audio.accord"
echo
echo "== agreement in $D/images.accord, per camera =="
"$A" agree "$D/images.accord" --by camera

if [ -t 0 ] && [ -t 1 ] && "$A" label --help >/dev/null 2>&1; then
	exec "$A" label "$D/images.accord"
fi
echo
echo "Try: ./accord items $D/images.accord --where camera=cam-c"
