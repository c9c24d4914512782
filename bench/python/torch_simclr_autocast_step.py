"""The trainer's SimCLR step in PyTorch on the engine's own model (python/simclr_torch.py: ResNet-18 with the CIFAR
stem, projection head [Linear without bias, BatchNorm, ReLU, Linear(128)]), both views in one 2N batch, channels-last
from width 0.25 as the engine runs it, NT-Xent at temperature 0.5 in fp32, SGD with momentum 0.9; with
--precision bf16 the forward pass runs under torch.autocast("cpu", dtype=torch.bfloat16) and the loss in fp32, as
the engine's bf16 step does. Self-contained in the repository (needs only Debian's python3-torch).
usage: python3 bench/python/torch_simclr_autocast_step.py [--precision fp32|bf16|both] [--width 1.0] [--batch 128]
       [--size 32] [--channels 3] [--steps 10] [--threads 2]
Prints step_s=… and images_per_s=… (images: N; each step trains on 2N views); with --precision both, an fp32 and a
bf16 step alternate on two copies of the model (a busy machine slows both alike) and it prints
fp32_images_per_s=… and bf16_images_per_s=…, each the median of its steps' rates.
"""
import argparse
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../python"))
import simclr_torch as st  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument('--precision', choices=['fp32', 'bf16', 'both'], default='bf16')
p.add_argument('--width', type=float, default=1.0); p.add_argument('--batch', type=int, default=128)
p.add_argument('--size', type=int, default=32); p.add_argument('--channels', type=int, default=3)
p.add_argument('--steps', type=int, default=10); p.add_argument('--threads', type=int, default=2)
a = p.parse_args()
torch.set_num_threads(a.threads); torch.manual_seed(0)
channels_last = st.channels(64, a.width) >= 16  # the engine's Encoders.channelsLast
fmt = torch.channels_last if channels_last else torch.contiguous_format


def make():
    torch.manual_seed(0)
    enc, dim = st.encoder("resnet", 18, a.width, a.channels)
    model = torch.nn.Sequential(enc, st.projection_head(dim, 2)).to(memory_format=fmt).train()
    return model, torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-6)


both = torch.rand(2 * a.batch, a.channels, a.size, a.size).contiguous(memory_format=fmt)
targets = torch.cat([torch.arange(a.batch) + a.batch, torch.arange(a.batch)])
mask = torch.eye(2 * a.batch, dtype=torch.bool)


def nt_xent(z, temperature=0.5):
    z = F.normalize(z, dim=1)
    sim = (z @ z.t() / temperature).masked_fill(mask, float("-inf"))
    return F.cross_entropy(sim, targets)


def step(model, opt, bf16):
    opt.zero_grad(set_to_none=True)
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
        z = model(both)
    loss = nt_xent(z.float())
    loss.backward()
    opt.step()
    return loss.item()


layout = 'channels-last' if channels_last else 'contiguous'
if a.precision == 'both':
    runs = {'fp32': make(), 'bf16': make()}
    rates = {'fp32': [], 'bf16': []}
    for i in range(2 + a.steps):
        for name, (model, opt) in runs.items():
            t0 = time.perf_counter()
            step(model, opt, name == 'bf16')
            if i >= 2:  # two warm-up steps each
                rates[name].append(a.batch / (time.perf_counter() - t0))
    print(f"torch {torch.__version__} resnet18 width={a.width} batch={a.batch} size={a.size} ch={a.channels} "
          f"fp32 and bf16 interleaved, joint views, {layout}")
    for name, r in rates.items():
        r.sort()
        median = r[len(r) // 2] if len(r) % 2 else (r[len(r) // 2 - 1] + r[len(r) // 2]) / 2
        print(f"{name}_images_per_s={median:.1f}")
else:
    model, opt = make()
    for _ in range(2):
        step(model, opt, a.precision == 'bf16')  # warm-up
    t0 = time.perf_counter()
    for _ in range(a.steps):
        step(model, opt, a.precision == 'bf16')
    dt = time.perf_counter() - t0
    print(f"torch {torch.__version__} resnet18 width={a.width} batch={a.batch} size={a.size} ch={a.channels} "
          f"{a.precision} joint views, {layout}")
    print(f"step_s={dt / a.steps:.4f}")
    print(f"images_per_s={a.batch * a.steps / dt:.1f}")
