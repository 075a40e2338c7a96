#!/bin/sh
# make-assets.sh - regenerate accord's bundled demo data set from scratch.
#
# Makes, next to this script:
#   images/img_NNN.{png,jpg}   60 synthetic photos of a brushed-metal surface
#                              (classes ok, scratch, dent, plus borderline ones)
#   audio/clip_NNN.{wav,flac,ogg}
#                              40 synthetic speech clips (clean, noisy, clipped,
#                              plus borderline ones)
#   images.csv, audio.csv      metadata to import (factory/line/camera,
#                              device/speaker)
#   truth-images.csv, truth-audio.csv
#                              the hidden truth, for HLP demos and tests only
#   labels-images.csv, labels-audio.csv
#                              three simulated labelers (simulate-labels.py)
#
# Run:   sh assets/demo/make-assets.sh      (from anywhere; takes about 40 s)
# Needs: ImageMagick 6 (convert), espeak-ng, sox with FLAC and Ogg Vorbis
#        support, and Debian's /usr/bin/python3 (standard library only;
#        override with PYTHON=...).
#
# What to make is decided by plan.py with a fixed seed, and every tool is run
# in its repeatable mode (convert -seed, sox -R), so a re-run writes the same
# bytes as long as the tool versions stay the same.  The script deletes and
# recreates everything it owns; it leaves the scripts and README alone.
set -eu

cd "$(dirname "$0")"
PYTHON=${PYTHON:-/usr/bin/python3}
W=240
H=180
TAB=$(printf '\t')

for tool in convert espeak-ng sox soxi "$PYTHON"; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "make-assets.sh: $tool not found" >&2
		exit 1
	}
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/accord-demo.XXXXXX")
trap 'rm -rf "$TMP"' EXIT INT TERM

rm -rf images audio
rm -f images.csv audio.csv truth-images.csv truth-audio.csv \
	labels-images.csv labels-audio.csv
mkdir images audio

"$PYTHON" plan.py "$TMP"

# render_image FILE FORMAT SEED ANGLE DARK LIGHT LIGHTING CAMERA DEFECT A B C D E
#
# The surface is Gaussian noise smeared by a motion blur (the brushing
# direction is ANGLE degrees), mapped onto the finish colours DARK..LIGHT and
# multiplied by a linear light fall-off.  A defect is drawn on top, then the
# camera's own look, then the file is written in FORMAT.  The PNG writer
# would stamp the time into tEXt/tIME chunks; leaving them out (and -strip)
# keeps re-runs byte-identical.
render_image() {
	out=$1 fmt=$2 seed=$3 angle=$4 dark=$5 light=$6 lighting=$7 cam=$8
	defect=$9
	shift 9
	case $defect in
	scratch)
		# A: dark groove path, B: bright edge path, C: width,
		# D: groove colour, E: edge colour.
		set -- \( -size ${W}x$H xc:none -fill none -strokewidth "$3" \
			-stroke "$4" -draw "$1" -stroke "$5" -draw "$2" \
			-blur 0x0.4 \) -compose Over -composite
		;;
	dent)
		# A: shadow disc, B: highlight disc, C: shadow grey,
		# D: highlight grey, E: blur sigma.  Overlay leaves the
		# surface alone where the layer is 50 % grey.
		set -- \( -size ${W}x$H xc:'gray(50%)' -fill "$3" -draw "$1" \
			-fill "$4" -draw "$2" -blur 0x"$5" \) \
			-compose Overlay -composite
		;;
	*) set -- ;;
	esac
	case $cam in
	cam-b) set -- "$@" -modulate 110 -unsharp 0x0.8+0.5+0 ;;
	cam-c) set -- "$@" -blur 0x1.2 -modulate 70 ;;
	esac
	case $fmt in
	png24) set -- "$@" PNG24:"$out" ;;
	png48) set -- "$@" -depth 16 PNG48:"$out" ;;
	png8) set -- "$@" -colors 256 PNG8:"$out" ;;
	pnggray)
		set -- "$@" -colorspace Gray -depth 8 \
			-define png:color-type=0 PNG:"$out"
		;;
	png32)
		# A cut-out product shot: transparent rounded corners.
		set -- "$@" \( -size ${W}x$H xc:black -fill white \
			-draw "roundrectangle 0,0 $((W - 1)),$((H - 1)) 18,18" \) \
			-alpha off -compose CopyOpacity -composite \
			PNG32:"$out"
		;;
	jpg)
		set -- "$@" -interlace none -sampling-factor 2x2 \
			-quality 90 JPEG:"$out"
		;;
	jpggray)
		set -- "$@" -colorspace Gray -type Grayscale \
			-interlace none -quality 90 JPEG:"$out"
		;;
	jpgprog)
		set -- "$@" -interlace JPEG -sampling-factor 2x2 \
			-quality 90 JPEG:"$out"
		;;
	*)
		echo "make-assets.sh: unknown image format $fmt" >&2
		exit 1
		;;
	esac
	convert -size $((W + 60))x$((H + 60)) xc:'gray(50%)' -seed "$seed" \
		-attenuate 1.5 +noise Gaussian -motion-blur 0x16+"$angle" \
		-gravity center -crop ${W}x$H+0+0 +repage +gravity \
		-colorspace Gray -auto-level -level 10%,90% -blur 0x0.7 \
		-colorspace sRGB +level-colors "$dark","$light" \
		\( -size ${W}x$H xc: -sparse-color Barycentric "$lighting" \) \
		-compose Multiply -composite \
		-strip -define png:exclude-chunks=date,time "$@"
}

n=0
while IFS=$TAB read -r file fmt seed angle dark light lighting cam defect \
	a b c d e <&3; do
	render_image "$file" "$fmt" "$seed" "$angle" "$dark" "$light" \
		"$lighting" "$cam" "$defect" "$a" "$b" "$c" "$d" "$e"
	n=$((n + 1))
done 3<"$TMP/images.tsv"
echo "make-assets.sh: $n images"

# Noise beds, 20 s each at 16 kHz, normalised to an RMS of -20 dBFS so that a
# plan's noise level in dBFS is just a gain of (level + 20) dB.  Clips take a
# slice at their own offset, so no two clips share the same noise.
for kind in whitenoise pinknoise brownnoise; do
	sox -R -n -r 16000 -c 1 -b 16 "$TMP/raw-$kind.wav" synth 20 "$kind"
	rms=$(sox "$TMP/raw-$kind.wav" -n stats 2>&1 |
		awk '/^RMS lev dB/ { print $4 }')
	sox -R "$TMP/raw-$kind.wav" "$TMP/$kind.wav" \
		gain "$(awk -v r="$rms" 'BEGIN { printf "%.2f", -20 - r }')"
done

# render_audio FILE FORMAT VOICE SPEED PITCH SENTENCE DEVICE LEAD TRAIL NOISE
#              NOISEDB OFFSET CLIPDB PEAK
render_audio() {
	out=$1 fmt=$2 voice=$3 speed=$4 pitch=$5 sentence=$6 device=$7
	lead=$8 trail=$9
	shift 9
	noise=$1 noisedb=$2 offset=$3 clipdb=$4 peak=$5

	espeak-ng -v "$voice" -s "$speed" -p "$pitch" -w "$TMP/tts.wav" \
		"$sentence"

	# What the microphone and its channel do to the voice.
	case $device in
	headset) set -- highpass 80 ;;
	"laptop mic") set -- highpass 150 lowpass 7000 reverb 20 50 30 ;;
	phone) set -- sinc 300-3400 ;;
	*)
		echo "make-assets.sh: unknown device $device" >&2
		exit 1
		;;
	esac
	sox -R "$TMP/tts.wav" -b 16 "$TMP/voice.wav" gain -6 rate 16000 "$@" \
		gain -n "$peak" pad "$lead" "$trail"
	len=$(soxi -s "$TMP/voice.wav")

	# Every clip gets a faint room floor (-65 dBFS); noisy ones get their
	# noise on top.  With -v on every input, sox -m adds without scaling.
	sox -R "$TMP/pinknoise.wav" "$TMP/floor.wav" \
		trim "$(awk -v o="$offset" 'BEGIN { print (o + 3) % 15 }')" \
		"${len}s" gain -45
	set -- -v 1 "$TMP/voice.wav" -v 1 "$TMP/floor.wav"
	if [ "$noise" != none ]; then
		sox -R "$TMP/$noise.wav" "$TMP/noise.wav" trim "$offset" \
			"${len}s" \
			gain "$(awk -v l="$noisedb" 'BEGIN { print l + 20 }')"
		set -- "$@" -v 1 "$TMP/noise.wav"
	fi
	sox -R -m "$@" -b 16 "$TMP/mix.wav"

	# Clipping: bring the peak to full scale, then add CLIPDB dB; sox
	# saturates every sample that no longer fits (hard clipping).  -V1
	# silences its warning about exactly that.
	if [ "$clipdb" != 0 ]; then
		set -- gain -n 0 gain "$clipdb"
	else
		set --
	fi
	case $fmt in
	wav) sox -R -V1 "$TMP/mix.wav" -b 16 "$out" "$@" ;;
	wav8k) sox -R -V1 "$TMP/mix.wav" -b 16 "$out" "$@" rate 8000 ;;
	wavstereo) sox -R -V1 "$TMP/mix.wav" -b 16 -c 2 "$out" "$@" ;;
	flac) sox -R -V1 "$TMP/mix.wav" -b 16 "$out" "$@" ;;
	ogg) sox -R -V1 "$TMP/mix.wav" -C 3 "$out" "$@" ;;
	*)
		echo "make-assets.sh: unknown audio format $fmt" >&2
		exit 1
		;;
	esac
}

n=0
while IFS=$TAB read -r file fmt voice speed pitch sentence device lead trail \
	noise noisedb offset clipdb peak <&3; do
	render_audio "$file" "$fmt" "$voice" "$speed" "$pitch" "$sentence" \
		"$device" "$lead" "$trail" "$noise" "$noisedb" "$offset" \
		"$clipdb" "$peak"
	n=$((n + 1))
done 3<"$TMP/audio.tsv"
echo "make-assets.sh: $n audio clips"

"$PYTHON" simulate-labels.py

# Every media file is in its metadata CSV and every CSV row names a file.
# The file column is first and never needs quoting, so cut is enough.
for set in images audio; do
	tail -n +2 "$set.csv" | cut -d, -f1 | tr -d '\r' | sort >"$TMP/listed"
	find "$set" -type f | sort >"$TMP/present"
	if ! cmp -s "$TMP/listed" "$TMP/present"; then
		echo "make-assets.sh: $set.csv and $set/ disagree:" >&2
		diff "$TMP/listed" "$TMP/present" >&2 || :
		exit 1
	fi
done
echo "make-assets.sh: done, $(du -sh . | cut -f1) in $(pwd)"
