#!/usr/bin/env python3
"""Cross-view check for tests/e2e/test_crossview.sh, standard library only.

  crossview_check.py REC.json REPORT.txt REPORT.csv REPORT.prom REPORT.html

For one recording, every figure that appears in more than one format must be
the same number: the JSON is the reference; the CSV and Prometheus carry the
exact integers (Prometheus seconds to 1 ns); the text and HTML carry rounded
figures, compared to their display precision.  Prints one line per figure
checked ("ok FIGURE") and exits 1 listing every disagreement.
"""
import collections
import csv
import html
import json
import re
import sys

UNITS = {'B': 1, 'KiB': 1024, 'MiB': 1024 ** 2, 'GiB': 1024 ** 3,
         'ns': 1e-9, 'us': 1e-6, 'ms': 1e-3, 's': 1}

bad = []
checked = 0


def same(what, ref, got, tol=0.0):
    """got equals ref, within the relative tolerance tol (display rounding)."""
    global checked
    checked += 1
    if got is None:
        bad.append('%s: missing (reference %s)' % (what, ref))
    elif abs(float(got) - float(ref)) > tol * abs(float(ref)) + 1e-9:
        bad.append('%s: %s, reference %s' % (what, got, ref))


def load_csv(path):
    rows = collections.defaultdict(dict)
    with open(path, newline='') as f:
        for r in csv.DictReader(f):
            rows[int(r['pid'])][r['metric']] = r['value']
    return rows


def load_prom(path):
    m = {}
    for line in open(path):
        if line.startswith('#') or not line.strip():
            continue
        mo = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$', line.strip())
        if not mo:
            continue
        labels = tuple(sorted(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', mo.group(2) or '')))
        m[(mo.group(1), labels)] = float(mo.group(3))
    return m


def prom(m, name, **labels):
    return m.get((name, tuple(sorted(labels.items()))))


def text_sections(path):
    """The text report's per-process sections, by pid."""
    secs, cur = {}, None
    for line in open(path, errors='replace'):
        mo = re.match(r'^== pid (\d+) ', line)
        if mo:
            cur = secs.setdefault(int(mo.group(1)), [])
        elif cur is not None:
            cur.append(line.rstrip('\n'))
    return secs


def size_of(num, unit):
    return float(num) * UNITS[unit]


def al_line(p, page):
    """The HTML report states each process's allocation count as the text does."""
    al = p.get('alloc')
    if not al:
        return None
    global checked
    checked += 1
    return ('%d allocations (' % al['calls']) in page


def check_proc(p, rows, m, sec, page):
    pid, comm = p['pid'], p['comm']
    tag = '%s[%d]' % (comm, pid)
    sc = p.get('syscalls') or {}
    tot_calls = sum(v['calls'] for v in sc.values())
    tot_err = sum(v['errors'] for v in sc.values())
    # the syscall table: CSV, Prometheus (by comm: one process per comm
    # here), text's strace -c table
    table, inside = {}, False
    for line in sec:
        f = line.split()
        if line.startswith('% time'):
            inside = True
        elif inside and f and f[-1] == 'total':
            break
        elif inside and len(f) in (6, 7) and re.match(r'^\d+\.\d\d$', f[0]):
            table[f[-1]] = (int(f[4]), int(f[5]) if len(f) == 7 else 0)
    for name, v in sc.items():
        same('%s syscall %s calls (csv)' % (tag, name), v['calls'], rows.get('syscall %s calls' % name))
        same('%s syscall %s errors (csv)' % (tag, name), v['errors'], rows.get('syscall %s errors' % name))
        same('%s syscall %s time (csv)' % (tag, name), v['total_ns'], rows.get('syscall %s time' % name))
        same('%s syscall %s calls (prom)' % (tag, name), v['calls'], prom(m, 'fastpath_syscalls_total', comm=comm, syscall=name))
        same('%s syscall %s errors (prom)' % (tag, name), v['errors'],
             prom(m, 'fastpath_syscall_errors_total', comm=comm, syscall=name))
        same('%s syscall %s seconds (prom)' % (tag, name), v['total_ns'] / 1e9,
             prom(m, 'fastpath_syscall_seconds_total', comm=comm, syscall=name), 1e-6)
        t = table.get(name)
        same('%s syscall %s calls (text)' % (tag, name), v['calls'], t and t[0])
        same('%s syscall %s errors (text)' % (tag, name), v['errors'], t and t[1])
    head = next((l for l in sec if re.match(r'^\d+ syscalls ', l)), '')
    mo = re.match(r'^(\d+) syscalls .*?, (\d+) errors', head)
    same('%s syscalls total (text)' % tag, tot_calls, mo and int(mo.group(1)))
    same('%s syscall errors total (text)' % tag, tot_err, mo and int(mo.group(2)))
    # rates are per second of the process's own traced time, in every view
    mo = re.match(r'^\d+ syscalls \((\d+)/s\)', head)
    same('%s syscall rate over traced_s (text)' % tag, tot_calls / p['traced_s'], mo and int(mo.group(1)), 0.01)
    if p.get('stat'):
        same('%s stat rate over traced_s (json)' % tag, p['stat']['calls'] / p['traced_s'], p['stat']['rate_per_s'], 1e-6)

    st = p.get('stat')
    if st:
        errs = sum(st['errors'].values())
        same('%s stat calls (csv)' % tag, st['calls'], rows.get('stat calls'))
        same('%s stat errors (csv)' % tag, errs, rows.get('stat errors'))
        same('%s stat calls (prom)' % tag, st['calls'], prom(m, 'fastpath_stat_calls_total', comm=comm))
        same('%s stat errors (prom)' % tag, errs, prom(m, 'fastpath_stat_errors_total', comm=comm))
        line = next((l for l in sec if l.startswith('stat family:')), '')
        mo = re.match(r'^stat family: (\d+) calls .*?, (\d+) errors', line)
        same('%s stat calls (text)' % tag, st['calls'], mo and int(mo.group(1)))
        same('%s stat errors (text)' % tag, errs, mo and int(mo.group(2)))
        same('%s stat peak (csv)' % tag, st['peak_per_s'], rows.get('stat peak_per_s'))
        mo = re.search(r'peak (\d+)/s', line)
        if mo:	# a process shorter than the window says so instead
            same('%s stat peak (text)' % tag, st['peak_per_s'], int(mo.group(1)))
        # the sum of the errno classes is the number of errors the family says
        same('%s stat errno classes add up' % tag, errs, sum(v for v in st['errors'].values()))
        for f in p.get('findings') or []:
            if f['kind'] == 'stat-storm':
                mo = re.match(r'^(\d+) stat-family calls', f['summary'])
                same('%s stat-storm finding calls' % tag, st['calls'], mo and int(mo.group(1)))
                same('%s stat calls (html)' % tag, 1, 1 if ('%d stat-family calls' % st['calls']) in page else None)

    if al_line(p, page) is False:
        bad.append('%s: allocation count not in the HTML report' % tag)

    io = p.get('io')
    if io:
        copied = sum(io[k]['bytes'] for k in ('copy_in', 'copy_out') if k in io)
        same('%s io copy bytes (csv)' % tag, copied, rows.get('io copy_bytes'))
        same('%s io copy bytes (prom)' % tag, copied, prom(m, 'fastpath_io_copy_bytes_total', comm=comm))
        line = next((l for l in sec if l.startswith('data path:')), '')
        mo = re.search(r'copied ([\d.]+) (B|KiB|MiB|GiB)', line)
        same('%s io copy bytes (text)' % tag, copied, mo and size_of(mo.group(1), mo.group(2)), 0.01)

    cpu = p.get('cpu')
    if cpu:
        same('%s cpu user (csv)' % tag, cpu['user_ns'], rows.get('cpu user'))
        same('%s cpu system (csv)' % tag, cpu['system_ns'], rows.get('cpu system'))
        same('%s cpu = user + system' % tag, cpu['on_cpu_ns'], cpu['user_ns'] + cpu['system_ns'])
        pu = prom(m, 'fastpath_cpu_seconds_total', comm=comm, mode='user')
        ps = prom(m, 'fastpath_cpu_seconds_total', comm=comm, mode='system')
        same('%s cpu seconds (prom)' % tag, cpu['on_cpu_ns'] / 1e9, None if pu is None or ps is None else pu + ps, 1e-6)
        line = next((l for l in sec if l.startswith('cpu:')), '')
        mo = re.match(r'^cpu: ([\d.]+) (ns|us|ms|s) on CPU', line)
        same('%s cpu time (text)' % tag, cpu['on_cpu_ns'] / 1e9, mo and size_of(mo.group(1), mo.group(2)), 0.01)

    al = p.get('alloc')
    if al:
        same('%s alloc calls (csv)' % tag, al['calls'], rows.get('alloc calls'))
        same('%s alloc bytes (csv)' % tag, al['bytes'], rows.get('alloc bytes'))
        same('%s alloc calls (prom)' % tag, al['calls'], prom(m, 'fastpath_alloc_calls_total', comm=comm))
        same('%s alloc bytes (prom)' % tag, al['bytes'], prom(m, 'fastpath_alloc_bytes_total', comm=comm))
        line = next((l for l in sec if l.startswith('allocator:')), '')
        mo = re.match(r'^allocator: (\d+) allocations', line)
        same('%s alloc calls (text)' % tag, al['calls'], mo and int(mo.group(1)))
        libc = al.get('libc') or {}
        if libc:
            # free is counted but allocates nothing: the functions that do add up
            same('%s alloc calls = libc functions' % tag, al['calls'],
                 sum(v['calls'] for k, v in libc.items() if k != 'free'))


def main():
    rec, txt, csvf, promf, htmlf = sys.argv[1:6]
    j = json.load(open(rec))
    rows = load_csv(csvf)
    m = load_prom(promf)
    secs = text_sections(txt)
    page = html.unescape(re.sub(r'<[^>]+>', ' ', open(htmlf, errors='replace').read()))
    comms = collections.Counter(p['comm'] for p in j['processes'])
    n = 0
    for p in j['processes']:
        if comms[p['comm']] > 1:
            continue	# Prometheus sums by comm: compare unique comms only
        if not p.get('syscalls'):
            continue
        check_proc(p, rows.get(p['pid'], {}), m, secs.get(p['pid'], []), page)
        n += 1
    same('duration (prom)', j['duration_s'], prom(m, 'fastpath_trace_duration_seconds'), 1e-6)
    if n == 0:
        bad.append('no process to compare')
    for b in bad:
        print('MISMATCH', b)
    print('%d figures checked over %d processes, %d mismatches' % (checked, n, len(bad)))
    sys.exit(1 if bad else 0)


if __name__ == '__main__':
    main()
