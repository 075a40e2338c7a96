# Every colour depth shows the image (issue 17), end to end: the label
# screen as a real OS user in a private tmux server (tests/e2e/tmux.lib),
# with TERM=xterm, screen and linux (8 colours), xterm-256color (256),
# ACCORD_COLOR=16 and COLORTERM=truecolor, on a known test picture.  The
# pane is read back with capture-pane -e (tm_cells), the picture rebuilt
# from the half blocks' SGR colours through the xterm palette, and
# compared with the source area-averaged to the same size.
#
# What capture-pane -e gives: the colours in tmux's grid, as the program
# sent them (SGR 30-37/40-47, 90-97/100-107, 38;5;N, 38;2;R;G;B), not
# translated to any outer terminal: this server has no client attached,
# and tmux translates only when it draws to one.  So the test also checks
# that each depth sent only what its terminal has: 8 colours only 0..7,
# 16 the 16, 256 palette indices 16..255, truecolor RGB.  (Before issue
# 17 the 8-colour terminals got the 16-colour mapping folded to 0..7, so
# the greys, colour 8, came out black: the level error catches that.)
#
# The measure is test_dither.c's: the Pearson correlation of the rebuilt
# picture and the source after a 3x3 binomial blur of both (neighbouring
# half blocks merge at a working distance), over every pixel and channel;
# plus the level error (mean luma) that a black-on-black pane fails.  The
# picture's quadrants: a grey gradient, colour bars, a faint scratch on a
# grey plate (about 5 levels at this size, under half the 256 palette's
# grey step: the nearest colour without dithering loses it, which the
# test shows by scoring that too), and fractal noise.  The first screen
# without COLORTERM says how to turn truecolor on; with it, or with
# ACCORD_COLOR, it does not.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/e2e/tmux.lib"

need_commands tmux runuser python3
L1=$(test_user cdl)
SME=$(test_user cdsme)
ensure_user $L1 $SME || skip_all "the screens run as real OS users: $WHY"
trap 'tm_stop; lib_cleanup' EXIT
export LC_ALL=C.UTF-8
chmod 777 "$T"

# --- the picture and the measure (python3, standard library only) ----------
cat >"$T/colour.py" <<'EOF'
import math, random, struct, sys, zlib

W, H = 368, 288		# 4x the 92x72 pixels of the 120x40 screen's pane

def picture():
    """The test picture, rows of (r, g, b); the same every run."""
    rnd = random.Random(17)
    # Fractal value noise: octaves of a smoothed random lattice.
    octs = []
    for o in range(5):
        cell = 48 >> o
        gw, gh = W // 2 // cell + 2, H // 2 // cell + 2
        octs.append((cell, gw, [[rnd.random() for _ in range(gw * gh)]
                                for _ in range(3)]))
    def noise(x, y, ch):
        v = 0.0
        for o, (cell, gw, g) in enumerate(octs):
            fx, fy = x / cell, y / cell
            ix, iy = int(fx), int(fy)
            tx, ty = fx - ix, fy - iy
            tx, ty = tx * tx * (3 - 2 * tx), ty * ty * (3 - 2 * ty)
            a = g[ch][iy * gw + ix] * (1 - tx) + g[ch][iy * gw + ix + 1] * tx
            b = g[ch][(iy + 1) * gw + ix] * (1 - tx) + \
                g[ch][(iy + 1) * gw + ix + 1] * tx
            v += (a * (1 - ty) + b * ty - 0.5) / (1 << o)
        return v
    bars = [0xbfbfbf, 0xbfbf00, 0x00bfbf, 0x00bf00, 0xbf00bf, 0xbf0000,
            0x0000bf]
    hw, hh = W // 2, H // 2
    rows = []
    for y in range(H):
        row = []
        for x in range(W):
            if y < hh and x < hw:		# grey gradient
                v = round(255 * x / (hw - 1))
                row.append((v, v, v))
            elif y < hh:			# colour bars
                c = bars[(x - hw) * 7 // hw]
                row.append((c >> 16, (c >> 8) & 255, c & 255))
            elif x < hw:			# faint scratch on a plate
                # A line from (10, hh + 120) to (170, hh + 20), 2.5 px wide.
                px, py = x + 0.5, y - hh + 0.5
                dx, dy = 160.0, -100.0
                ln = math.hypot(dx, dy)
                t = ((px - 10) * dx + (py - 120) * dy) / (ln * ln)
                d = abs((px - 10) * dy - (py - 120) * dx) / ln
                cov = 0.0 if t < 0 or t > 1 else min(1.0, max(0.0, 1.75 - d))
                v = round(117 + 8 * cov)
                row.append((v, v, v))
            else:				# natural-like noise
                xx, yy = x - hw, y - hh
                n0, n1, n2 = (noise(xx, yy, c) for c in range(3))
                row.append(tuple(max(0, min(255, round(v))) for v in (
                    128 + 150 * (0.7 * n0 + 0.3 * n1),
                    128 + 150 * (0.7 * n0 + 0.3 * n2),
                    118 + 150 * (0.7 * n0 - 0.3 * n1))))
        rows.append(row)
    return rows

def write_png(path, rows):
    raw = b"".join(b"\0" + bytes(v for p in r for v in p) for r in rows)
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + \
            struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(
            ">IIBBBBB", len(rows[0]), len(rows), 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))

# xterm's palette, as tui/term.c has it (XTerm-col.ad, 256colres.pl).
ANSI = [0x000000, 0xcd0000, 0x00cd00, 0xcdcd00, 0x0000ee, 0xcd00cd,
        0x00cdcd, 0xe5e5e5, 0x7f7f7f, 0xff0000, 0x00ff00, 0xffff00,
        0x5c5cff, 0xff00ff, 0x00ffff, 0xffffff]
CUBE = [0, 95, 135, 175, 215, 255]
def pal256(i):
    if i < 16:
        c = ANSI[i]
        return (c >> 16, (c >> 8) & 255, c & 255)
    if i < 232:
        i -= 16
        return (CUBE[i // 36], CUBE[i // 6 % 6], CUBE[i % 6])
    v = 8 + 10 * (i - 232)
    return (v, v, v)

def colour(s):
    """A tm_cells colour as (r, g, b) and its kind."""
    if s.startswith("c16:"):
        n = int(s[4:])
        return pal256(n), ("c8" if n < 8 else "c16")
    if s.startswith("c256:"):
        n = int(s[5:])
        return pal256(n), ("c256" if n >= 16 else ("c8" if n < 8 else "c16"))
    if s.startswith("rgb:"):
        v = int(s[4:], 16)
        return (v >> 16, (v >> 8) & 255, v & 255), "rgb"
    return None, s

def resample(rows, w, h):
    """Area average (box filter, fractional edges) to w x h."""
    sh, sw = len(rows), len(rows[0])
    def weights(n, m):
        out = []
        for i in range(m):
            a, b = i * n / m, (i + 1) * n / m
            out.append([(k, min(b, k + 1) - max(a, k))
                        for k in range(int(a), min(n, math.ceil(b)))
                        if min(b, k + 1) - max(a, k) > 0])
        return out
    wx, wy = weights(sw, w), weights(sh, h)
    res = []
    for ys in wy:
        tot = sum(f for _, f in ys)
        row = []
        for xs in wx:
            s = [0.0, 0.0, 0.0]
            tx = sum(f for _, f in xs)
            for y, fy in ys:
                r = rows[y]
                for x, fx in xs:
                    p = r[x]
                    for c in range(3):
                        s[c] += p[c] * fx * fy
            row.append(tuple(v / (tot * tx) for v in s))
        res.append(row)
    return res

def blur(img):
    h, w = len(img), len(img[0])
    k = (1, 2, 1)
    out = []
    for y in range(h):
        row = []
        for x in range(w):
            s = [0.0, 0.0, 0.0]
            for dy in (-1, 0, 1):
                for dx in (-1, 0, 1):
                    p = img[min(h - 1, max(0, y + dy))][min(w - 1, max(0, x + dx))]
                    f = k[dx + 1] * k[dy + 1]
                    for c in range(3):
                        s[c] += f * p[c]
            row.append(tuple(v / 16 for v in s))
        out.append(row)
    return out

def corr(a, b):
    xs = [v for r in a for p in r for v in p]
    ys = [v for r in b for p in r for v in p]
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    return 0.0 if sxx < 1e-9 or syy < 1e-9 else sxy / math.sqrt(sxx * syy)

def luma(img):
    v = [0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2] for r in img for p in r]
    return sum(v) / len(v)

def nearest256(p):
    return min(range(16, 256), key=lambda i: sum(
        (a - b) ** 2 for a, b in zip(p, pal256(i))))

def check(cells_path, x1, y0p, y1p):
    """Rebuild the pane (columns < x1, rows y0p..y1p-1) from tm_cells
    lines; print the figures."""
    # tmux's capture -e also writes SO and SI (0e, 0f: the shifts to and
    # from the line-drawing set, for the panel's rule), which tm_cells
    # counts as cells: drop them and count the columns again.
    rows = {}
    for line in open(cells_path, encoding="utf-8"):
        f = line.split()
        if len(f) >= 6:
            rows.setdefault(int(f[0]), []).append(f)
    cells = {}
    for y, fs in rows.items():
        x = 0
        for f in sorted(fs, key=lambda f: int(f[1])):
            if f[2] in ("000e", "000f"):
                continue
            # A cell's two pixels, whichever glyph carries them (the
            # screen writes the cheapest: tests/e2e/tmux.lib tm_pixels).
            if x < x1 and y0p <= y < y1p:
                if f[2] == "2580":
                    cells[(y, x)] = (f[3], f[4])
                elif f[2] == "2584":
                    cells[(y, x)] = (f[4], f[3])
                elif f[2] == "2588":
                    cells[(y, x)] = (f[3], f[3])
                elif f[2] == "0020" and f[4] != "def":
                    cells[(y, x)] = (f[4], f[4])
            x += 1
    if not cells:
        print("cells 0 kinds none")
        return
    ys = [y for y, _ in cells]
    xs = [x for _, x in cells]
    y0, x0 = min(ys), min(xs)
    h, w = max(ys) - y0 + 1, max(xs) - x0 + 1
    # An odd pixel height leaves the last row's lower halves to the
    # terminal's background (draw.h).
    odd = all(cells.get((y0 + h - 1, x0 + x), ("", ""))[1] == "def"
              for x in range(w))
    ph = 2 * h - odd
    img = [[(0, 0, 0)] * w for _ in range(ph)]
    missing = 0
    kinds = set()
    for y in range(h):
        for x in range(w):
            c = cells.get((y0 + y, x0 + x))
            if c is None:
                missing += 1
                continue
            for k in range(2 if 2 * y + 1 < ph else 1):
                rgb, kind = colour(c[k])
                kinds.add(kind)
                if rgb is None:
                    missing += 1
                else:
                    img[2 * y + k][x] = rgb
    src = resample(picture(), w, ph)
    whole = corr(blur(src), blur(img))
    # The scratch quadrant, less two pixels along its edges with the
    # others, and what the nearest 256 colour would show there.
    q = lambda im: [r[2:w // 2 - 2] for r in im[ph // 2 + 2:ph - 2]]
    scratch = corr(blur(q(src)), blur(q(img)))
    near = [[pal256(nearest256(p)) for p in r] for r in q(src)]
    scratch_near = corr(blur(q(src)), blur(near))
    print("cells %d size %dx%d missing %d kinds %s corr %.3f level %.1f "
          "scratch %.3f scratch_nearest256 %.3f" % (
              len(cells), w, ph, missing, ",".join(sorted(kinds)),
              whole, abs(luma(img) - luma(src)), scratch, scratch_near))

if sys.argv[1] == "png":
    write_png(sys.argv[2], picture())
else:
    check(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
EOF

# --- set-up -------------------------------------------------------------------
mkdir "$T/pics"
python3 "$T/colour.py" png "$T/pics/testcard.png" ||
    fail "set-up: the test picture"
DB=$T/colour.accord
"$ACCORD" init "$DB" --task "e2e colour" --media image \
    --classes ok,scratch,dent --borderline unsure >/dev/null &&
    chmod 666 "$DB" &&
    "$ACCORD" member "$DB" add $L1 >/dev/null &&
    "$ACCORD" member "$DB" add $SME --role sme >/dev/null &&
    "$ACCORD" import "$DB" "$T/pics" >/dev/null ||
    fail "set-up: a project of the test picture at $DB"

# The media pane of the 120x40 session is columns 0..91 (the panel's rule
# is column 92).
PANE_X1=92
# and rows 2..37 (the status rows above, the message and key rows below).
HINT="set ACCORD_COLOR=truecolor if the terminal has 24-bit colour"

shows_blocks() { tm_screen "$1" | grep -q '[▀▄█]'; }
# field NAME FIGURES: the value after NAME in a "check" line
field() { printf '%s\n' "$2" | sed -n "s/.* $1 \([^ ]*\).*/\1/p"; }
# ge A B: A >= B (decimals); false when either is not a number
ge() {
	python3 -c '
import sys
try:
    sys.exit(not float(sys.argv[1]) >= float(sys.argv[2]))
except ValueError:
    sys.exit(1)' "$1" "$2"
}

# depth NAME KINDS MIN_CORR MAX_LEVEL HINT_WANTED VAR=VALUE...: the label
# screen with the VARs; its picture's half blocks use only colours of
# KINDS (c8, c16, c256, rgb: comma-separated, sorted), score at least
# MIN_CORR with at most MAX_LEVEL levels of level error, and the message
# line has the truecolor hint when HINT_WANTED is 1.
depth() {
	_nm=$1 _kinds=$2 _min=$3 _lvl=$4 _hint=$5
	shift 5
	_s=cd$_nm
	FIGURES=
	tm_start $_s $L1 "$@" -- label "$DB"
	# The picture is drawn after the text; then two captures alike.
	if ! tm_wait $_s "classes (key: label)" ||
	    ! tm_until $_s shows_blocks $_s; then
		fail "$_nm: the label screen shows the picture" \
		    "screen: $(tm_screen $_s | grep -v '^ *$' | head -n 3 |
		    tr '\n' '|') err: $(head -c 300 "$T/$_s.err" | tr '\n' '|')"
		tm kill-session -t $_s 2>/dev/null
		return
	fi
	: >"$T/$_nm.prev"
	_i=0
	while tm_cells $_s >"$T/$_nm.cells" && [ $_i -lt 50 ] &&
	    ! cmp -s "$T/$_nm.cells" "$T/$_nm.prev"; do
		cp "$T/$_nm.cells" "$T/$_nm.prev"
		_i=$((_i + 1))
		sleep 0.2
	done
	_f=$(python3 "$T/colour.py" check "$T/$_nm.cells" $PANE_X1 2 38)
	echo "# $_nm ($*): $_f"
	check "$_nm: the picture's colours are the depth's own ($_kinds)" \
	    "$_kinds" "$(field kinds "$_f")"
	if ge "$(field corr "$_f")" "$_min"; then
		pass "$_nm: the picture correlates with the source (>= $_min)"
	else
		fail "$_nm: the picture correlates with the source (>= $_min)" \
		    "$_f"
	fi
	if ge "$_lvl" "$(field level "$_f")"; then
		pass "$_nm: the picture's mean level is kept (within $_lvl)"
	else
		fail "$_nm: the picture's mean level is kept (within $_lvl)" \
		    "$_f; err: $(head -c 300 "$T/$_s.err" | tr '\n' '|')"
	fi
	if [ "$_hint" = 1 ]; then
		if tm_screen $_s | grep -qF "$HINT"; then
			pass "$_nm: the message line says how to turn on truecolor"
		else
			fail "$_nm: the message line says how to turn on truecolor" \
			    "$(tm_screen $_s | tail -n 2 | tr '\n' '|')"
		fi
	elif tm_screen $_s | grep -qF "$HINT"; then
		fail "$_nm: no truecolor hint" "$(tm_screen $_s | tail -n 2 |
		    tr '\n' '|')"
	else
		pass "$_nm: no truecolor hint"
	fi
	FIGURES=$_f
	CORRS="$CORRS $(field corr "$_f")"
	tm send-keys -t $_s q
	tm_exited $_s
	check "$_nm: q quits with status 0" 0 "${TM_RC:-none}"
	tm kill-session -t $_s 2>/dev/null
}

CORRS=
# Thresholds: a little under what the screens measure (the figures are
# printed above each group), above a black-on-black or one-colour pane
# (correlation 0, level error some 50-120).
depth xterm c8 0.95 4 1 TERM=xterm
depth screen c8 0.95 4 1 TERM=screen
# With TERM=linux ncurses' mousemask() loads libgpm, which leaks 10 bytes
# once (the same in accord before issue 17): not accord's leak.  The
# suppression names mousemask_sp, which is on the stack only when the
# sanitizer unwinds it fully (libgpm is unloaded by then).
printf 'leak:mousemask_sp\n' >"$T/lsan.supp"
depth linux c8 0.95 4 0 TERM=linux \
    ASAN_OPTIONS="${ASAN_OPTIONS:-}:fast_unwind_on_malloc=0" \
    LSAN_OPTIONS="suppressions=$T/lsan.supp"
depth sixteen c16,c8 0.96 4 0 TERM=xterm-256color ACCORD_COLOR=16
depth xterm-256color c256 0.99 2 1 TERM=xterm-256color
# The faint scratch survives at 256 colours, where the nearest colour
# would draw the plate alone.
sc=$(field scratch "$FIGURES")
scn=$(field scratch_nearest256 "$FIGURES")
if ge "$sc" 0.25 && ! ge "$scn" 0.25; then
	pass "256 colours: the faint scratch is visible ($sc; undithered $scn)"
else
	fail "256 colours: the faint scratch is visible" \
	    "scratch $sc, undithered $scn (want >= 0.25 and < 0.25)"
fi
depth truecolor rgb 0.995 1 0 TERM=tmux-256color COLORTERM=truecolor
sct=$(field scratch "$FIGURES")
best=$(printf '%s\n' $CORRS | sort -n | tail -n 1)
if ge "$sct" "$sc" && ge "$(field corr "$FIGURES")" "$best"; then
	pass "truecolor scores highest (correlations:$CORRS; scratch $sct)"
else
	fail "truecolor scores highest" "correlations:$CORRS; scratch $sct, \
256 colours' $sc"
fi

# The review screen says it too, over a connection without COLORTERM, and
# not with it.
for ct in "" truecolor; do
	tm_start rv$ct $SME TERM=xterm-256color ${ct:+COLORTERM=$ct} -- \
	    review "$DB"
	if ! tm_wait rv$ct "decide:"; then
		fail "review (COLORTERM=$ct): the screen starts" \
		    "$(tm_screen rv$ct | grep -v '^ *$' | head -n 3 | tr '\n' '|')"
	elif [ -z "$ct" ]; then
		if tm_screen rv | grep -qF "256 colours: $HINT"; then
			pass "review without COLORTERM: the truecolor hint"
		else
			fail "review without COLORTERM: the truecolor hint" \
			    "$(tm_screen rv | tail -n 2 | tr '\n' '|')"
		fi
	elif tm_screen rv$ct | grep -qF "$HINT"; then
		fail "review with COLORTERM=truecolor: no hint" \
		    "$(tm_screen rv$ct | tail -n 2 | tr '\n' '|')"
	else
		pass "review with COLORTERM=truecolor: no hint"
	fi
	tm send-keys -t rv$ct q
	tm_exited rv$ct
	check "review (COLORTERM=$ct): q quits with status 0" 0 "${TM_RC:-none}"
done
