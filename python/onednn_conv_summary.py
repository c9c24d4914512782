#!/usr/bin/env python3
"""Speed of oneDNN's convolutions from an ONEDNN_VERBOSE=1 log, per propagation kind, as a share of a given peak.

    ONEDNN_VERBOSE=1 ./simclr bench trainer-profile 1 > log 2>&1
    python3 python/onednn_conv_summary.py log PEAK_GFLOPS

Each `primitive,exec` line of a convolution names its shape (mb, ic, oc, kh, kw, oh, ow) and its time in ms; a
convolution costs 2 x mb x ic x oc x kh x kw x oh x ow FLOPs in each of forward, backward data and backward
weights. Lines are grouped by mini-batch (the bench's two cases have 256 and 512 images per step) and kind.
"""
import collections
import re
import sys

if len(sys.argv) != 3:
    sys.exit(__doc__)
peak = float(sys.argv[2])
totals = collections.defaultdict(lambda: [0.0, 0.0])
for line in open(sys.argv[1]):
    if "primitive,exec" not in line or ",convolution," not in line:
        continue
    fields = line.strip().split(",")
    shape = {k: int(v) for k, v in re.findall(r"([a-z]+)(\d+)", fields[-2])}
    flops = 2 * shape["mb"] * shape["ic"] * shape["oc"] * shape["kh"] * shape["kw"] * shape["oh"] * shape["ow"]
    for kind in (fields[7], "all"):
        t = totals[(shape["mb"], kind)]
        t[0] += flops
        t[1] += float(fields[-1])
for (mb, kind), (flops, ms) in sorted(totals.items()):
    gflops = flops / ms / 1e6
    print(f"mb{mb} {kind:17s} {flops / 1e9:8.1f} GFLOP {ms:8.0f} ms {gflops:6.1f} GFLOP/s {100 * gflops / peak:5.1f} % of peak")
