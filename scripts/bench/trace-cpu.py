#!/usr/bin/env python3
"""Where the CPU went in a Chrome trace (written by `BENCH_TRACE=dir npm run bench -- live-cost`).

Per process and thread: CPU seconds in top-level tasks (their thread time, `tdur`), as a share of the
traced wall time, plus the slowest named events inside the GPU process and the inference worker
(e.g. glReadPixels waits, SwapBuffers). Usage: python3 scripts/bench/trace-cpu.py TRACE.json [...]
"""
import json
import sys
from collections import defaultdict

TOP = {'ThreadControllerImpl::RunTask', 'RunTask', 'ThreadPool_RunTask', 'SequenceManager::DoIdleWork'}


def load(path):
    with open(path) as f:
        data = json.load(f)
    return data['traceEvents'] if isinstance(data, dict) else data


def report(path):
    ev = load(path)
    pname, tname = {}, {}
    for e in ev:
        if e.get('ph') == 'M':
            if e['name'] == 'process_name':
                pname[e['pid']] = e['args']['name']
            elif e['name'] == 'thread_name':
                tname[(e['pid'], e['tid'])] = e['args']['name']
    ts = [e['ts'] for e in ev if 'ts' in e and e.get('ph') != 'M']
    wall = (max(ts) - min(ts)) / 1e6 if ts else 0
    cpu = defaultdict(float)
    by_name = defaultdict(lambda: defaultdict(lambda: [0, 0.0, 0.0]))  # thread -> name -> [count, wall ms, cpu ms]
    for e in ev:
        if e.get('ph') != 'X':
            continue
        key = (e['pid'], e['tid'])
        if e['name'] in TOP:
            cpu[key] += e.get('tdur', e.get('dur', 0)) / 1e6
        agg = by_name[key][e['name']]
        agg[0] += 1
        agg[1] += e.get('dur', 0) / 1e3
        agg[2] += e.get('tdur', 0) / 1e3
    print(f'== {path}: {wall:.1f} s traced')
    total = 0.0
    for key, s in sorted(cpu.items(), key=lambda kv: -kv[1]):
        if s < 0.05 * wall and s < 0.3:
            continue
        total += s
        print(f'  {pname.get(key[0], key[0])[:22]:22s} {tname.get(key, key[1])[:34]:34s} CPU {s:6.2f} s  {100 * s / wall:5.1f} % of one core')
    print(f'  sum of the threads listed: {total:.2f} CPU s = {total / wall:.2f} cores')
    for key in sorted(cpu, key=lambda k: -cpu[k])[:6]:
        names = sorted(by_name[key].items(), key=lambda kv: -kv[1][1])
        label = f'{pname.get(key[0], key[0])} / {tname.get(key, key[1])}'
        print(f'  -- {label}: longest events by wall time (count, wall ms, thread ms)')
        for n, (c, w, t) in names[:8]:
            print(f'       {n[:48]:48s} {c:6d} {w:9.0f} {t:9.0f}')


for p in sys.argv[1:]:
    report(p)
