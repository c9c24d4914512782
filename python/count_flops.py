#!/usr/bin/env python3
"""Forward FLOPs per image of the platform's SimCLR model (encoder + projection head), counted from the model.

    python3 python/count_flops.py FAMILY DEPTH WIDTH CHANNELS SIZE [PROJECTION_LAYERS]

Builds the PyTorch mirror (simclr_torch: the same layers and shapes as the Java engine, checked by EncodersTest and
NarrowGradientsTest) and runs one SIZE x SIZE image through it with forward hooks on every Conv2d and Linear:
a convolution costs 2 x (output elements) x (input channels / groups) x kh x kw FLOPs, a linear layer
2 x in x out (a multiply-add is two FLOPs). Batch norm, ReLU, pooling and the loss are left out (well under 1 %
here). Prints forward_flops_per_image=<n>; a training step costs about 3 x that per view (forward, and the
backward's two products per layer).
"""
import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import simclr_torch as st  # noqa: E402


def forward_flops(model, x):
    total = [0]

    def conv(m, inp, out):
        kh, kw = m.kernel_size
        total[0] += 2 * out.numel() * (m.in_channels // m.groups) * kh * kw

    def linear(m, inp, out):
        total[0] += 2 * (out.numel() // m.out_features) * m.in_features * m.out_features

    hooks = []
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            hooks.append(m.register_forward_hook(conv))
        elif isinstance(m, nn.Linear):
            hooks.append(m.register_forward_hook(linear))
    with torch.no_grad():
        model.eval()(x)
    for h in hooks:
        h.remove()
    return total[0] // x.shape[0]


if __name__ == "__main__":
    if len(sys.argv) not in (6, 7):
        sys.exit(__doc__)
    family, depth, width, channels, size = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), \
        int(sys.argv[5])
    layers = int(sys.argv[6]) if len(sys.argv) == 7 else 2
    enc, dim = st.encoder(family, depth, width, channels)
    model = nn.Sequential(enc, st.projection_head(dim, layers))
    print(f"forward_flops_per_image={forward_flops(model, torch.zeros(2, channels, size, size))}")
