"""Baseline of the trainer's own SimCLR step in native PyTorch: the model, loss and optimiser of
../shared/bench/torch_simclr_step.py, with both views in one 2N batch through encoder and head, as
dev.simclr.engine.train.Pretraining runs it (batch norm sees both views). Prints what that script prints.
usage: python3 torch_simclr_joint_step.py BASELINE_DIR [--width 1.0] [--batch 128] [--size 32] [--channels 3]
       [--steps 10] [--threads 2]
"""
import argparse, sys, time

sys.path.insert(0, sys.argv.pop(1))
import torch, torch.nn as nn
from torch_simclr_step import resnet18, nt_xent

p = argparse.ArgumentParser()
p.add_argument('--width', type=float, default=1.0); p.add_argument('--batch', type=int, default=128)
p.add_argument('--size', type=int, default=32); p.add_argument('--channels', type=int, default=3)
p.add_argument('--steps', type=int, default=10); p.add_argument('--threads', type=int, default=2)
a = p.parse_args()
torch.set_num_threads(a.threads); torch.manual_seed(0)
enc, feat = resnet18(a.width, a.channels)
model = nn.Sequential(enc, nn.Sequential(nn.Linear(feat, feat), nn.ReLU(), nn.Linear(feat, 128)))
opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-6)
both = torch.rand(2 * a.batch, a.channels, a.size, a.size)


def step():
    opt.zero_grad(); z = model(both); loss = nt_xent(z[:a.batch], z[a.batch:]); loss.backward(); opt.step()
    return loss.item()


for _ in range(2): step()  # warm-up
t0 = time.perf_counter()
for _ in range(a.steps): step()
dt = time.perf_counter() - t0
print(f"torch {torch.__version__} resnet18 width={a.width} batch={a.batch} size={a.size} ch={a.channels} joint views")
print(f"step_s={dt / a.steps:.4f}")
print(f"images_per_s={a.batch * a.steps / dt:.1f}")
