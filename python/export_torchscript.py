#!/usr/bin/env python3
"""An exported encoder (encoder.npz) as TorchScript, checked to give the same features.

    /usr/bin/python3 python/export_torchscript.py encoder.npz encoder.pt HEIGHT WIDTH

Loads encoder.npz with load_encoder.py, scripts it (torch.jit.script, falling back to a trace at HEIGHT x WIDTH),
saves it, loads the saved file again and compares its features with the eager model's on a seeded batch: prints the
largest absolute difference and exits non-zero above 1e-5.
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import load_encoder  # noqa: E402

if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    model, meta = load_encoder.load(sys.argv[1])
    height, width = int(sys.argv[3]), int(sys.argv[4])
    torch.manual_seed(0)
    x = torch.randn(4, meta["inChannels"], height, width)
    try:
        scripted = torch.jit.script(model)
        how = "script"
    except Exception:  # noqa: BLE001 - a module TorchScript cannot compile is traced instead
        scripted = torch.jit.trace(model, x)
        how = "trace"
    scripted.save(sys.argv[2])
    again = torch.jit.load(sys.argv[2]).eval()
    with torch.no_grad():
        diff = (again(x) - model(x)).abs().max().item()
    print(f"torchscript ({how}) {sys.argv[2]}: max |difference| {diff:.3g} on a {tuple(x.shape)} batch")
    sys.exit(0 if diff <= 1e-5 else 1)
