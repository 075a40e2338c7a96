# tests/gen_media.py: media for the memory tests and benchmark, written
# directly (no encoder), so that making them takes milliseconds where sox
# takes over a minute for 10 hours of FLAC and ImageMagick needs the
# decoded image's memory to write a large PNG.
#
#   gen_media.py flac-silence OUT SECONDS RATE
#       OUT: a mono 16-bit FLAC of SECONDS of digital silence at RATE Hz
#       (one of the rates a FLAC frame header can name: 8000, 16000,
#       22050, 24000, 32000, 44100, 48000, 96000), in fixed 4096-sample
#       blocks as sox and the reference encoder write them, each a
#       CONSTANT subframe (RFC 9639 sections 8 and 9).  The STREAMINFO
#       block gives the total samples; its MD5 is zero ("not computed",
#       section 8.2), which decoders accept.
#
#   gen_media.py png-bomb DIR N WIDTH HEIGHT
#       DIR/bomb-NN.png, N PNGs of WIDTH x HEIGHT black RGB pixels: a
#       few hundred KB that decode to WIDTH * HEIGHT * 3 bytes.  Each
#       differs in one tEXt chunk, so their SHA-256s differ and import
#       decodes every one.
import struct
import sys
import zlib

RATE_CODES = {8000: 4, 16000: 5, 22050: 6, 24000: 7, 32000: 8,
              44100: 9, 48000: 10, 96000: 11}
BLOCK = 4096


def crc8(data):
    c = 0
    for b in data:
        c ^= b
        for _ in range(8):
            c = ((c << 1) ^ 0x07) & 0xff if c & 0x80 else (c << 1) & 0xff
    return c


CRC16 = []
for i in range(256):
    c = i << 8
    for _ in range(8):
        c = ((c << 1) ^ 0x8005) & 0xffff if c & 0x8000 else (c << 1) & 0xffff
    CRC16.append(c)


def crc16(data):
    c = 0
    for b in data:
        c = ((c << 8) & 0xffff) ^ CRC16[(c >> 8) ^ b]
    return c


def utf8_number(n):
    # The frame number, coded as UTF-8 codes a character (section 9.1.5).
    if n < 0x80:
        return bytes([n])
    if n < 0x800:
        return bytes([0xc0 | n >> 6, 0x80 | n & 0x3f])
    if n < 0x10000:
        return bytes([0xe0 | n >> 12, 0x80 | n >> 6 & 0x3f, 0x80 | n & 0x3f])
    return bytes([0xf0 | n >> 18, 0x80 | n >> 12 & 0x3f,
                  0x80 | n >> 6 & 0x3f, 0x80 | n & 0x3f])


def flac_silence(out, seconds, rate):
    total = int(seconds * rate)
    info = struct.pack(">HH", BLOCK, BLOCK) + b"\0" * 6
    # rate (20 bits), channels - 1 (3), bits - 1 (5), samples (36)
    bits = rate << 44 | 0 << 41 | 15 << 36 | total
    info += bits.to_bytes(8, "big") + b"\0" * 16
    with open(out, "wb") as f:
        f.write(b"fLaC" + bytes([0x80]) + len(info).to_bytes(3, "big") + info)
        n = 0
        left = total
        while left > 0:
            size = BLOCK if left >= BLOCK else left
            # fixed blocking; block size 4096 (code 12) or 16-bit size - 1
            # at the end (code 7); mono, 16 bits
            code = 12 if size == BLOCK else 7
            hdr = bytes([0xff, 0xf8, code << 4 | RATE_CODES[rate], 0x08])
            hdr += utf8_number(n)
            if code == 7:
                hdr += struct.pack(">H", size - 1)
            hdr += bytes([crc8(hdr)])
            frame = hdr + b"\0\0\0"  # CONSTANT subframe, value 0
            f.write(frame + struct.pack(">H", crc16(frame)))
            left -= size
            n += 1


def chunk(kind, data):
    return (struct.pack(">I", len(data)) + kind + data +
            struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))


def png_bomb(outdir, n, w, h):
    z = zlib.compressobj(9)
    row = b"\0" * (1 + 3 * w)  # filter 0, black pixels
    idat = b"".join(z.compress(row) for _ in range(h)) + z.flush()
    head = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR",
                                        struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
    tail = chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    for i in range(n):
        text = chunk(b"tEXt", b"Comment\0bomb %d" % i)
        with open("%s/bomb-%02d.png" % (outdir, i), "wb") as f:
            f.write(head + text + tail)


def main():
    a = sys.argv[1:]
    if len(a) == 4 and a[0] == "flac-silence" and int(a[3]) in RATE_CODES:
        flac_silence(a[1], float(a[2]), int(a[3]))
    elif len(a) == 5 and a[0] == "png-bomb":
        png_bomb(a[1], int(a[2]), int(a[3]), int(a[4]))
    else:
        sys.exit("usage: gen_media.py flac-silence OUT SECONDS RATE | "
                 "png-bomb DIR N WIDTH HEIGHT")


main()
