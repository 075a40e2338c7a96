#!/bin/sh
# media_vs_tools.sh: accord's media metrics against independent tools, on
# files those tools made.
#
# Images come from ImageMagick (gradients, plasma and noise with fixed
# seeds; 8- and 16-bit, palette, grey, grey+alpha, RGBA, interlaced, JPEG
# colour, grey, progressive and CMYK); sounds from sox and espeak-ng (tones,
# noise, speech, clipping, padding with silence; WAV 8/16/24-bit and float,
# FLAC from sox and from flac(1), Ogg Vorbis from sox and from oggenc).
# build/asan/ref/media_metrics prints what media_probe() says; each metric
# is compared with:
#
#  1. the tool's own arithmetic on its own decode:
#     - brightness, contrast: ImageMagick's %[fx:mean] and
#       %[fx:standard_deviation] of 0.299 R + 0.587 G + 0.114 B (made with
#       -color-matrix).  IM 6.9.11's standard_deviation is the sample one
#       (n - 1; checked on a 2-pixel image: 0 and 1 give 0.707), so it is
#       scaled by sqrt((n - 1) / n).  Its -grayscale Rec601Luma is not used:
#       it weighs 0.298839, 0.586811, 0.114350, up to 0.09/255 off.
#       Tolerance 2e-5 for 8-bit sources: IM Q16 stores the luma rounded
#       to 1/65535 (7.6e-6).  1e-4 for 16-bit ones and CMYK: IM averages
#       16-bit values (the source's, or its CMYK conversion's), accord the
#       8-bit decode media.h defines (rounded to nearest; the rounding
#       errors cancel on these images, 2e-3 would be the worst case).
#     - duration_s: `sox --i -D`, printed to 1e-6 s; tolerance 2e-6.
#     - rms_db, peak_db: `sox F -n stats` (Overall column), printed to
#       0.01 dB; tolerance 0.011 dB (0.02 for Ogg Vorbis, which sox decodes
#       to 16 bits and accord to float).
#     - clipped: sox stats' "Pk count" (samples at the peak level, to 3
#       significant figures) on a sine driven into clipping by sox's gain
#       without dither, where every clipped sample is at +32767 or -32768;
#       tolerance 1% of the count.
#  2. the same definitions computed by Python (Debian's /usr/bin/python3,
#     stdlib only) on the tool's decode: images from `convert F -depth 16
#     ppm:-` (16-bit sources reduced to 8 as libpng's png_set_scale_16 does,
#     (v * 255 + 32767) / 65535; IM's own -depth 8 truncates instead), audio
#     from `sox F -t f32 -` (exact for 8-24-bit PCM).  The pixels and
#     samples are the same as accord's (for JPEG: IM uses libjpeg's default
#     islow DCT and fancy upsampling, as accord does), so the tolerance is
#     what media_metrics' %.9g printing loses: 1e-8 relative, 1e-8 absolute
#     for fractions and seconds, 1e-6 dB (sox passes float WAVs through its
#     32-bit integer samples).  Ogg Vorbis (sox's 16-bit decode against
#     accord's float one): 0.01 dB, 1e-3 clipped fraction, one 10 ms
#     window of silence.
#  3. for files made with padding, the padding itself: lead and trail
#     silence within one 10 ms window (Vorbis's pre-echo makes the window
#     before a tone's onset loud).
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

MM="$ROOT/build/asan/ref/media_metrics"
PY=/usr/bin/python3

for tool in convert sox espeak-ng flac oggenc "$PY" "$MM"; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		fail "tools" "$tool is missing (scripts/deps.sh test)"
		exit 1
	fi
done

# The definitions of include/accord/media.h, in Python, on a PPM/PGM (8- or
# 16-bit) from stdin: "brightness contrast sharpness".
cat >"$T/img.py" <<'EOF'
import sys

def read_pnm(b):
    fields, pos = [], 0
    while len(fields) < 4:
        while b[pos:pos + 1].isspace():
            pos += 1
        if b[pos:pos + 1] == b'#':
            while b[pos:pos + 1] not in (b'\n', b''):
                pos += 1
            continue
        start = pos
        while not b[pos:pos + 1].isspace():
            pos += 1
        fields.append(b[start:pos])
    magic, w, h, maxval = fields[0], int(fields[1]), int(fields[2]), int(fields[3])
    ch = {b'P6': 3, b'P5': 1}[magic]
    data = b[pos + 1:]
    n = w * h * ch
    if maxval == 255:
        v = list(data[:n])
    elif maxval == 65535:
        # libpng's png_set_scale_16: (v * 255 + 32767) // 65535
        v = [((data[2 * i] << 8 | data[2 * i + 1]) * 255 + 32767) // 65535
             for i in range(n)]
    else:
        sys.exit("maxval %d" % maxval)
    if ch == 1:
        v = [x for x in v for _ in range(3)]
    return w, h, v

w, h, px = read_pnm(sys.stdin.buffer.read())
# Luma times 1000, exact in integers: Y = L / 1000 on the 0..255 scale.
L = [299 * px[i] + 587 * px[i + 1] + 114 * px[i + 2]
     for i in range(0, w * h * 3, 3)]
n = w * h
mean = sum(L) / n
var = sum((x - mean) ** 2 for x in L) / n
lap = []
for y in range(1, h - 1):
    r, u, d = y * w, (y - 1) * w, (y + 1) * w
    for x in range(1, w - 1):
        lap.append(L[u + x] + L[d + x] + L[r + x - 1] + L[r + x + 1]
                   - 4 * L[r + x])
sharp = 0.0
if lap:
    lm = sum(lap) / len(lap)
    sharp = sum((x - lm) ** 2 for x in lap) / len(lap) / 1e6
print("%.12g %.12g %.12g" % (mean / 255000, var ** 0.5 / 255000, sharp))
EOF

# The audio definitions on raw 32-bit floats from stdin.  Arguments: rate
# channels.  Prints "rms_db peak_db clipped lead_silence_s trail_silence_s".
cat >"$T/aud.py" <<'EOF'
import array, math, sys

rate, ch = int(sys.argv[1]), int(sys.argv[2])
x = array.array('f')
x.frombytes(sys.stdin.buffer.read())
n = len(x)
frames = n // ch
ss = math.fsum(v * v for v in x)
peak = max(abs(v) for v in x)
clip = sum(1 for v in x if abs(v) >= 32766.0 / 32768.0)
db = lambda p: 10 * math.log10(p) if p > 0 else -200.0
win = max(1, (rate + 50) // 100)
thr = 10 ** (-50.0 / 10)
first = last_end = -1
for s in range(0, frames, win):
    e = min(frames, s + win)
    seg = x[s * ch:e * ch]
    if math.fsum(v * v for v in seg) / len(seg) > thr:
        if first < 0:
            first = s
        last_end = e
if first < 0:
    lead = trail = frames / rate
else:
    lead, trail = first / rate, (frames - last_end) / rate
print("%.12g %.12g %.12g %.12g %.12g" % (db(ss / n), db(peak * peak),
    clip / n, lead, trail))
EOF

# metric FILE KEY: the value media_metrics printed for FILE.
metric() {
	sed -n "s|^$1 .* $2=\([^ ]*\).*|\1|p" "$T/mm.txt"
}

# near NAME GOT WANT TOL [rel]: |GOT - WANT| <= TOL (times |WANT| if rel).
near() {
	if [ -z "$2" ] || [ -z "$3" ]; then
		fail "$1" "missing value: got '$2', want '$3'"
		return
	fi
	if awk -v a="$2" -v b="$3" -v t="$4" -v r="${5:-}" 'BEGIN {
		d = a - b; if (d < 0) d = -d
		if (r != "") { m = b < 0 ? -b : b; t = t * (m > 1e-300 ? m : 1) }
		exit !(d <= t) }'; then
		pass "$1 ($2 vs $3)"
	else
		fail "$1" "accord $2, reference $3, tolerance $4${5:+ relative}"
	fi
}

# Images ------------------------------------------------------------------
cd "$T" || exit 2
convert -size 320x240 gradient:'#102030-#f0c080' -depth 8 grad.png
convert -seed 42 -size 320x240 plasma:fractal -depth 8 plasma8.png
convert -seed 42 -size 320x240 plasma:fractal -depth 16 plasma16.png
convert -size 320x240 xc:gray50 -seed 7 -attenuate 2 +noise Gaussian \
	-depth 8 noise.png
convert noise.png -blur 0x2 blurred.png
convert plasma8.png -colorspace gray -type Grayscale grey.png
convert plasma16.png -colorspace gray -type Grayscale grey16.png
convert grey.png -alpha set -channel A -evaluate set 60% +channel \
	-type GrayscaleAlpha greyalpha.png
convert plasma8.png -alpha set -channel A -fx 'i/w' +channel PNG32:rgba.png
convert plasma8.png -colors 16 PNG8:palette.png
convert noise.png -interlace PNG interlaced.png
convert plasma8.png -quality 90 photo.jpg
convert plasma8.png -colorspace gray -quality 90 grey.jpg
convert noise.png -interlace JPEG -quality 85 progressive.jpg
convert plasma8.png -colorspace CMYK -quality 95 cmyk.jpg
IMAGES="grad.png plasma8.png plasma16.png noise.png blurred.png grey.png
grey16.png greyalpha.png rgba.png palette.png interlaced.png photo.jpg
grey.jpg progressive.jpg cmyk.jpg"

# shellcheck disable=SC2086
run "$MM" $IMAGES
cp "$T/out" "$T/mm.txt"
ok_if "media_metrics reads every image" rc_is 0

# The files are what they claim, or the comparisons below mean less.
chk_shape() {
	got=$(sed -n "s|^$1 format=[a-z]* \(width=.* depth=[0-9]*\) .*|\1|p" \
	    "$T/mm.txt")
	if [ "$got" = "$2" ]; then pass "shape $1"; else
		fail "shape $1" "got '$got', expected '$2'"; fi
}
chk_shape plasma16.png "width=320 height=240 channels=3 depth=16"
chk_shape grey.png "width=320 height=240 channels=1 depth=8"
chk_shape grey16.png "width=320 height=240 channels=1 depth=16"
chk_shape greyalpha.png "width=320 height=240 channels=2 depth=8"
chk_shape rgba.png "width=320 height=240 channels=4 depth=8"
chk_shape palette.png "width=320 height=240 channels=3 depth=8"
chk_shape grey.jpg "width=320 height=240 channels=1 depth=8"

for f in $IMAGES; do
	# Sample standard deviation, so scaled by sqrt((n - 1) / n).
	# shellcheck disable=SC2046 # three numbers, split on purpose
	set -- $(convert "$f" -alpha off -colorspace sRGB -precision 12 \
	    -color-matrix '0.299 0.587 0.114 0 0 0 0 0 0' -channel R -separate \
	    -format '%[fx:mean] %[fx:standard_deviation] %[fx:w*h]' info:)
	im_mean=$1
	im_sd=$(awk -v s="$2" -v n="$3" 'BEGIN { printf "%.12g", s * sqrt((n - 1) / n) }')
	case "$f" in
	plasma16.png|grey16.png|cmyk.jpg) tol=1e-4 ;;
	*) tol=2e-5 ;;
	esac
	near "brightness $f vs ImageMagick" "$(metric "$f" brightness)" \
	    "$im_mean" "$tol"
	near "contrast $f vs ImageMagick" "$(metric "$f" contrast)" \
	    "$im_sd" "$tol"

	# shellcheck disable=SC2046 # three numbers, split on purpose
	set -- $(convert "$f" -alpha off -depth 16 ppm:- | "$PY" "$T/img.py")
	near "brightness $f vs python" "$(metric "$f" brightness)" "$1" 1e-8 rel
	near "contrast $f vs python" "$(metric "$f" contrast)" "$2" 1e-8 rel
	near "sharpness $f vs python" "$(metric "$f" sharpness)" "$3" 1e-8 rel
done

# Blurring must lower sharpness a lot, or the metric measures nothing.
s1=$(metric noise.png sharpness)
s2=$(metric blurred.png sharpness)
if awk -v a="$s1" -v b="$s2" 'BEGIN { exit !(b * 10 < a) }'; then
	pass "blur lowers sharpness ($s1 -> $s2)"
else
	fail "blur lowers sharpness" "$s1 -> $s2"
fi

# Audio -------------------------------------------------------------------
# -R: repeatable (fixed seeds); rate given before -n so synth makes it and
# no resampling (and its dither) is involved.
SOX="sox -R"
$SOX -r 44100 -n -b 16 sine.wav synth 2 sine 440 vol 0.5
$SOX -r 48000 -n -b 24 -c 2 noise24.wav synth 1.5 whitenoise vol 0.3
$SOX -r 8000 -n -b 8 u8.wav synth 1 sine 300 vol 0.7
$SOX -r 32000 -n -e floating-point -b 32 float.wav synth 1 sine 1000 vol 0.9
$SOX -r 44100 -n -b 16 -D clip.wav synth 1 sine 440 gain 6 2>/dev/null
$SOX -r 44100 -n -b 16 pad.wav synth 1 sine 440 vol 0.5 pad 0.5 0.5
$SOX -r 44100 -n -b 16 -c 2 padst.wav synth 1 sine 440 vol 0.5 \
	pad 0.25 0.75 remix 1 0
# espeak-ng opens PulseAudio even to write a file, and PulseAudio would
# leave its directory in $TMPDIR: here it goes in $T.
PULSE_RUNTIME_PATH=$T/pulse espeak-ng -w speech.wav \
	"Accord measures every clip before anyone labels it."
$SOX speech.wav speech.flac
flac -s -f -o speech-flac.flac speech.wav
$SOX -r 44100 -n -b 24 tone24.flac synth 2 sine 1000 vol 0.25
$SOX speech.wav speech.ogg
oggenc -Q -q 4 -o speech-oggenc.ogg speech.wav
$SOX -r 44100 -n tone.ogg synth 2 sine 440 vol 0.5 pad 0.5 0.5
SOUNDS="sine.wav noise24.wav u8.wav float.wav clip.wav pad.wav padst.wav
speech.wav speech.flac speech-flac.flac tone24.flac speech.ogg
speech-oggenc.ogg tone.ogg"

# shellcheck disable=SC2086
run "$MM" $SOUNDS
cp "$T/out" "$T/mm.txt"
ok_if "media_metrics reads every sound" rc_is 0

# sox_stat FILE LABEL: the Overall value of a `sox stats` line.
sox_stat() {
	sox "$1" -n stats 2>&1 | awk -v l="$2" 'index($0, l) == 1 {
		s = substr($0, length(l) + 1); split(s, a, " "); print a[1] }'
}

for f in $SOUNDS; do
	case "$f" in
	*.ogg) tdb=0.02; pdb=0.01; pclip=1e-3; psil=0.0101 ;;
	*) tdb=0.011; pdb=1e-6; pclip=1e-8; psil=1e-8 ;;
	esac
	near "duration $f vs sox --i -D" "$(metric "$f" duration_s)" \
	    "$(sox --i -D "$f")" 2e-6
	near "rms_db $f vs sox stats" "$(metric "$f" rms_db)" \
	    "$(sox_stat "$f" "RMS lev dB")" "$tdb"
	near "peak_db $f vs sox stats" "$(metric "$f" peak_db)" \
	    "$(sox_stat "$f" "Pk lev dB")" "$tdb"

	# shellcheck disable=SC2046 # three numbers, split on purpose
	set -- $(sox "$f" -t f32 - | "$PY" "$T/aud.py" "$(sox --i -r "$f")" \
	    "$(sox --i -c "$f")")
	near "rms_db $f vs python" "$(metric "$f" rms_db)" "$1" "$pdb"
	near "peak_db $f vs python" "$(metric "$f" peak_db)" "$2" "$pdb"
	near "clipped $f vs python" "$(metric "$f" clipped)" "$3" "$pclip"
	near "lead_silence_s $f vs python" "$(metric "$f" lead_silence_s)" \
	    "$4" "$psil"
	near "trail_silence_s $f vs python" "$(metric "$f" trail_silence_s)" \
	    "$5" "$psil"
done

# Clipping against sox's own count of samples at the peak level.
pk=$(sox_stat clip.wav "Pk count" | awk '{ v = $1; m = 1
	if (v ~ /k$/) m = 1e3; if (v ~ /M$/) m = 1e6; sub(/[kM]$/, "", v)
	print v * m }')
n=$(sox --i -s clip.wav)
near "clipped clip.wav vs sox Pk count" \
    "$(awk -v c="$(metric clip.wav clipped)" -v n="$n" 'BEGIN { print c * n }')" \
    "$pk" 0.01 rel
if awk -v c="$(metric clip.wav clipped)" 'BEGIN { exit !(c > 0.2) }'; then
	pass "clip.wav is mostly clipped"
else
	fail "clip.wav is mostly clipped" "clipped=$(metric clip.wav clipped)"
fi

# Padding: the silence sox put there, within one 10 ms window.
near "lead_silence_s pad.wav = pad 0.5" "$(metric pad.wav lead_silence_s)" 0.5 0.0101
near "trail_silence_s pad.wav = pad 0.5" "$(metric pad.wav trail_silence_s)" 0.5 0.0101
near "lead_silence_s padst.wav = pad 0.25" "$(metric padst.wav lead_silence_s)" 0.25 0.0101
near "trail_silence_s padst.wav = pad 0.75" "$(metric padst.wav trail_silence_s)" 0.75 0.0101
near "lead_silence_s tone.ogg = pad 0.5" "$(metric tone.ogg lead_silence_s)" 0.5 0.0101
near "trail_silence_s tone.ogg = pad 0.5" "$(metric tone.ogg trail_silence_s)" 0.5 0.0101
