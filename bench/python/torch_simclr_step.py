"""Baseline for `./simclr bench trainer`: one SimCLR training step in native PyTorch, on the CPU.

The step of dev.simclr.bench.TrainerBench, written from the Java engine's definitions: the encoder of
python/simclr_torch.py (the PyTorch mirror of dev.simclr.engine.model.Encoders: CIFAR-style ResNet, 3x3 stem,
no max-pool, width multiplier), the projection head of Encoders.projectionHead(dim, 2, 128) (Linear without
bias, BatchNorm, ReLU, Linear), NT-Xent at temperature 0.5 (Losses.ntXent: cosine similarities, a view's
similarity with itself masked, cross-entropy towards the other view) and SGD as dev.simclr.engine.optim.Sgd
(momentum 0.9, weight decay 1e-6 added to the gradient, lr 0.1), on fixed random inputs (the step alone).

--views joint (the default): both views in one 2N batch through encoder and head, as the trainer's
Pretraining runs it (batch norm sees both views); --views separate: one N batch per view.
--precision: the arithmetic of the step (fp32 only for now; add a choice and its branch in `step`).

Output, read by the Java bench: a description line, then `step_s=<seconds per step>` and, last,
`images_per_s=<original images per second>` (two views per image, counted once).
usage: python3 torch_simclr_step.py [--width 1.0] [--batch 128] [--size 32] [--channels 3] [--steps 10]
       [--threads 2] [--views joint|separate] [--precision fp32]
"""
import argparse
import os
import sys
import time

import torch
import torch.nn.functional as F

# the checkout's python/ (SIMCLR_HOME, exported by the simclr script, also when this file is copied elsewhere)
REPO = os.environ.get('SIMCLR_HOME') or os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
sys.path.insert(0, os.path.join(REPO, 'python'))
import simclr_torch  # noqa: E402  (the repository's mirror of the Java encoders)

PRECISIONS = ('fp32',)


def nt_xent(z1, z2, temperature=0.5):
    """Losses.ntXent: 2N L2-normalised projections, similarity / T, self-similarity masked, mean cross-entropy."""
    n = z1.shape[0]
    z = F.normalize(torch.cat([z1, z2]), dim=1, eps=1e-12)
    sim = (z @ z.t()) / temperature
    sim = sim - torch.eye(2 * n, dtype=sim.dtype) * 1e9
    targets = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    return F.cross_entropy(sim, targets)


def parse(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--width', type=float, default=1.0)
    p.add_argument('--batch', type=int, default=128)
    p.add_argument('--size', type=int, default=32)
    p.add_argument('--channels', type=int, default=3)
    p.add_argument('--steps', type=int, default=10)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--views', choices=('joint', 'separate'), default='joint')
    p.add_argument('--precision', choices=PRECISIONS, default='fp32')
    return p.parse_args(argv)


def main(a):
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    encoder, features = simclr_torch.encoder('resnet', 18, a.width, in_channels=a.channels)
    model = torch.nn.Sequential(encoder, simclr_torch.projection_head(features, 2, 128)).train()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-6)
    shape = (a.batch, a.channels, a.size, a.size)
    if a.views == 'joint':
        both = torch.rand(2 * a.batch, *shape[1:])

        def forward():
            z = model(both)
            return nt_xent(z[:a.batch], z[a.batch:])
    else:
        x1, x2 = torch.rand(shape), torch.rand(shape)

        def forward():
            return nt_xent(model(x1), model(x2))

    def step():
        opt.zero_grad(set_to_none=True)
        loss = forward()
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(2):  # warm-up: oneDNN picks and caches its kernels
        step()
    t0 = time.perf_counter()
    for _ in range(a.steps):
        step()
    dt = time.perf_counter() - t0
    print(f"torch {torch.__version__} resnet18 width={a.width} batch={a.batch} size={a.size} ch={a.channels} "
          f"views={a.views} precision={a.precision} threads={a.threads}")
    print(f"step_s={dt / a.steps:.4f}")
    print(f"images_per_s={a.batch * a.steps / dt:.1f}")


if __name__ == '__main__':
    main(parse())
