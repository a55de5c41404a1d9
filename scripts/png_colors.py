#!/usr/bin/env python3
"""Counts the pixels of given colors in a PNG (8-bit RGB or RGBA, not interlaced), with the
standard library only. Usage: png_colors.py FILE RRGGBB... — prints one count per color."""
import struct
import sys
import zlib

try:  # numpy (installed with scipy by make setup) makes the common "Up" rows fast; optional.
    import numpy
except ImportError:
    numpy = None


def pixels(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit(f"{path}: not a PNG")
    pos, idat, width = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or color not in (2, 6) or interlace:
                sys.exit(f"{path}: unsupported PNG (depth {depth}, color type {color}, interlace {interlace})")
            channels = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += body
    raw = zlib.decompress(idat)
    stride = width * channels
    previous = bytearray(stride)
    rows = []
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        if kind == 2 and numpy is not None:
            line = bytearray((numpy.frombuffer(bytes(line), dtype=numpy.uint8) + numpy.frombuffer(bytes(previous), dtype=numpy.uint8)).tobytes())
            rows.append(bytes(line))
            previous = line
            continue
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, corner = previous[i], (previous[i - channels] if i >= channels else 0)
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
        rows.append(bytes(line))
        previous = line
    return rows, channels


def main():
    rows, channels = pixels(sys.argv[1])
    wanted = [tuple(int(c[i:i + 2], 16) for i in (0, 2, 4)) for c in sys.argv[2:]]
    # Every color within 6 of a wanted one, per channel (anti-aliased edges are not counted).
    near = [{bytes((r, g, b)) for r in range(max(0, c[0] - 6), min(255, c[0] + 6) + 1)
             for g in range(max(0, c[1] - 6), min(255, c[1] + 6) + 1)
             for b in range(max(0, c[2] - 6), min(255, c[2] + 6) + 1)} for c in wanted]
    counts = [0] * len(wanted)
    for line in rows:
        for x in range(0, len(line), channels):
            rgb = line[x:x + 3]
            for index, colors in enumerate(near):
                if rgb in colors:
                    counts[index] += 1
    print(" ".join(str(c) for c in counts))


main()
