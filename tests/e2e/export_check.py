#!/usr/bin/env python3
"""Checks for tests/e2e/test_export.sh, standard library only.

  export_check.py png FILE      the screenshot is not blank: prints the number of
                                distinct colours and the share of non-background pixels
  export_check.py csv FILE      strict CSV parse of `report --format csv`; prints
                                "rows N" and one "comm metric value" line per row
  export_check.py prom FILE     strict parse of the Prometheus text format 0.0.4
                                (the fallback when promtool is missing)
Exit status 1 with a message on the first problem.
"""
import collections
import csv
import math
import re
import struct
import sys
import zlib


def die(msg):
    print(msg, file=sys.stderr)
    sys.exit(1)


def png_pixels(path):
    data = open(path, 'rb').read()
    if data[:8] != b'\x89PNG\r\n\x1a\n':
        die('%s: not a PNG' % path)
    pos, idat, hdr = 8, b'', None
    while pos < len(data):
        n, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b'IHDR':
            hdr = struct.unpack('>IIBBBBB', body)
        elif kind == b'IDAT':
            idat += body
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = hdr
    if depth != 8 or interlace or ctype not in (2, 6):
        die('%s: unsupported PNG (depth %d, colour type %d)' % (path, depth, ctype))
    bpp = 4 if ctype == 6 else 3
    raw = zlib.decompress(idat)
    stride = w * bpp
    prev = bytearray(stride)
    rows = []
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows


def check_png(path):
    w, h, bpp, rows = png_pixels(path)
    counts = collections.Counter()
    for r in rows:
        for x in range(0, len(r), bpp):
            counts[r[x:x + 3]] += 1
    bg, nbg = counts.most_common(1)[0]
    ink = 1 - nbg / float(w * h)
    print('colours %d ink %.4f' % (len(counts), ink))


def check_csv(path):
    with open(path, newline='') as f:
        rows = list(csv.reader(f, strict=True))
    if rows[0] != ['pid', 'comm', 'metric', 'value', 'unit', 'note']:
        die('bad header %r' % rows[0])
    for i, r in enumerate(rows[1:], 2):
        if len(r) != 6:
            die('row %d has %d fields' % (i, len(r)))
        if not r[0].isdigit():
            die('row %d: pid %r' % (i, r[0]))
        v = float(r[3])
        if math.isnan(v):
            die('row %d: value is NaN' % i)
    print('rows %d' % (len(rows) - 1))
    for r in rows[1:]:
        print('%s\t%s\t%s' % (r[1], r[2], r[3]))


NAME = r'[a-zA-Z_:][a-zA-Z0-9_:]*'
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE = re.compile(r'^(%s)(\{(?:%s)(?:,%s)*\})? (\S+)$' % (NAME, LABEL, LABEL))


def check_prom(path):
    types, helps, done, cur = {}, set(), set(), None
    buckets = collections.defaultdict(list)
    counts = {}
    for n, line in enumerate(open(path, encoding='utf-8'), 1):
        line = line.rstrip('\n')
        m = re.match(r'^# (HELP|TYPE) (%s) (.*)$' % NAME, line)
        if m:
            kind, name, rest = m.groups()
            if kind == 'TYPE':
                if name in types or rest not in ('counter', 'gauge', 'histogram', 'summary', 'untyped'):
                    die('line %d: TYPE of %s repeated or bad' % (n, name))
                types[name] = rest
            elif name in helps:
                die('line %d: HELP of %s repeated' % (n, name))
            else:
                helps.add(name)
            if cur and cur != name:
                done.add(cur)
            if name in done:
                die('line %d: %s split in two groups' % (n, name))
            cur = name
            continue
        if line.startswith('#') or not line:
            continue
        m = SAMPLE.match(line)
        if not m:
            die('line %d: not a sample: %s' % (n, line))
        name, labels, value = m.groups()
        float(value.replace('+Inf', 'inf'))
        fam = re.sub(r'_(bucket|sum|count)$', '', name) if types.get(re.sub(r'_(bucket|sum|count)$', '', name)) == 'histogram' else name
        if fam != cur:
            die('line %d: sample of %s outside its group (%s)' % (n, name, cur))
        if types[fam] == 'counter' and not name.endswith('_total'):
            die('line %d: counter %s without _total' % (n, name))
        if name.endswith('_bucket'):
            le = re.search(r'le="([^"]*)"', labels).group(1)
            key = (fam, re.sub(r',?le="[^"]*"', '', labels))
            buckets[key].append((float(le.replace('+Inf', 'inf')), float(value)))
        elif name.endswith('_count') and types.get(fam) == 'histogram':
            counts[(fam, labels)] = float(value)
    for (fam, labels), bs in buckets.items():
        les = [b[0] for b in bs]
        vals = [b[1] for b in bs]
        if les != sorted(les) or les[-1] != math.inf:
            die('%s%s: le not increasing or no +Inf' % (fam, labels))
        if vals != sorted(vals):
            die('%s%s: buckets not cumulative' % (fam, labels))
        if counts.get((fam, labels)) != vals[-1]:
            die('%s%s: +Inf bucket differs from _count' % (fam, labels))
    print('ok %d families' % len(types))


if __name__ == '__main__':
    {'png': check_png, 'csv': check_csv, 'prom': check_prom}[sys.argv[1]](sys.argv[2])
