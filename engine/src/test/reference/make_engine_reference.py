"""Reference values for the Java training engine's tests, computed with PyTorch (Debian python3-torch 1.13).

Run from the repository root:  /usr/bin/python3 engine/src/test/reference/make_engine_reference.py
Writes engine/src/test/resources/reference/engine.json and resnet18.npz, which the tests read; torch is not
needed to run the tests.
"""
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../../../../python"))
import simclr_torch as st  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "../resources/reference")
torch.manual_seed(1234)
ref = {"torch": torch.__version__}


def arr(t):
    return t.detach().double().numpy().tolist()


# 1. parameter counts of the encoders and heads
counts = {}
for fam, depth, width, cin in [("resnet", 18, 1.0, 3), ("resnet", 18, 0.5, 1), ("resnet", 34, 0.25, 3),
                               ("resnet", 50, 0.25, 3), ("resnet", 50, 1.0, 3), ("vgg", 11, 0.25, 1),
                               ("vgg", 16, 0.5, 3)]:
    model, dim = st.encoder(fam, depth, width, cin)
    counts[f"{fam}-{depth}-{width}-{cin}"] = {"params": st.param_count(model), "featureDim": dim}
counts["projection-512-2"] = {"params": st.param_count(st.projection_head(512, 2)), "featureDim": 128}
counts["projection-256-3"] = {"params": st.param_count(st.projection_head(256, 3)), "featureDim": 128}
counts["dense-256-[128,64]-10"] = {"params": st.param_count(st.dense_head(256, [128, 64], 10)), "featureDim": 10}
ref["paramCounts"] = counts

# 2. NT-Xent: 2N views, self-similarity masked, both directions
n, d, temperature = 8, 16, 0.5
z1 = torch.randn(n, d, dtype=torch.float64, requires_grad=True)
z2 = torch.randn(n, d, dtype=torch.float64, requires_grad=True)
z = F.normalize(torch.cat([z1, z2]), dim=1)
sim = z @ z.t() / temperature
sim = sim.masked_fill(torch.eye(2 * n, dtype=torch.bool), float("-inf"))
targets = torch.cat([torch.arange(n) + n, torch.arange(n)])
loss = F.cross_entropy(sim, targets)
loss.backward()
ref["ntxent"] = {"temperature": temperature, "z1": arr(z1), "z2": arr(z2), "loss": loss.item(),
                 "gradZ1": arr(z1.grad), "gradZ2": arr(z2.grad)}

# 3. distillation: T^2 KL(softmax(t/T) || softmax(s/T)), mixed with cross-entropy by alpha
s = torch.randn(n, 10, dtype=torch.float64)
t = torch.randn(n, 10, dtype=torch.float64) * 3
labels = torch.randint(0, 10, (n,))
dist = {"student": arr(s), "teacher": arr(t), "labels": labels.tolist(), "cases": []}
for T, alpha in [(4.0, 0.0), (2.0, 0.3), (1.0, 1.0)]:
    sv = s.clone().requires_grad_(True)
    kd = F.kl_div(F.log_softmax(sv / T, 1), F.softmax(t / T, 1), reduction="batchmean") * T * T
    total = (1 - alpha) * kd + alpha * F.cross_entropy(sv, labels)
    total.backward()
    dist["cases"].append({"temperature": T, "alpha": alpha, "loss": total.item(), "gradStudent": arr(sv.grad)})
ref["distillation"] = dist

# 4. optimisers: three steps on a weight (4x3) and a bias (3) with fixed gradients
w0 = torch.randn(4, 3, dtype=torch.float64)
b0 = torch.randn(3, dtype=torch.float64)
grads = [(torch.randn(4, 3, dtype=torch.float64), torch.randn(3, dtype=torch.float64)) for _ in range(3)]
lr = 0.1


def run(make):
    w, b = w0.clone().requires_grad_(True), b0.clone().requires_grad_(True)
    opt = make([w, b])
    for gw, gb in grads:
        w.grad, b.grad = gw.clone(), gb.clone()
        opt.step()
    return {"weight": arr(w), "bias": arr(b)}


def lars_steps(momentum=0.9, weight_decay=1e-4, eta=0.001):
    """LARS as SimCLR uses it: bias and batch-norm parameters get no weight decay and no trust ratio."""
    w, b = w0.clone(), b0.clone()
    vw, vb = torch.zeros_like(w), torch.zeros_like(b)
    for gw, gb in grads:
        g = gw + weight_decay * w
        pn, gn = torch.norm(w), torch.norm(g)
        trust = eta * pn / gn if pn > 0 and gn > 0 else 1.0
        vw = momentum * vw + lr * trust * g
        w = w - vw
        vb = momentum * vb + lr * gb
        b = b - vb
    return {"weight": arr(w), "bias": arr(b)}


ref["optimizers"] = {
    "lr": lr, "weight0": arr(w0), "bias0": arr(b0),
    "gradients": [{"weight": arr(gw), "bias": arr(gb)} for gw, gb in grads],
    "sgd": run(lambda p: torch.optim.SGD(p, lr=lr, momentum=0.9, weight_decay=1e-4)),
    "sgdNesterov": run(lambda p: torch.optim.SGD(p, lr=lr, momentum=0.9, nesterov=True, weight_decay=1e-4)),
    "adam": run(lambda p: torch.optim.Adam(p, lr=lr, weight_decay=1e-4)),
    "adamw": run(lambda p: torch.optim.AdamW(p, lr=lr, weight_decay=0.05)),
    "lars": lars_steps(),
}

# 5. a ResNet-18 (width 0.125, 3 channels) with random weights and batch-norm statistics: forward in eval and
#    train mode
torch.manual_seed(99)
model, dim = st.encoder("resnet", 18, 0.125, 3)
model = model.double().float()
with torch.no_grad():
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.weight.uniform_(0.5, 1.5)
            m.bias.normal_(0, 0.1)
            m.running_mean.normal_(0, 0.1)
            m.running_var.uniform_(0.5, 1.5)
weights = st.export(model)
x = torch.randn(4, 3, 32, 32)
model.eval()
with torch.no_grad():
    out_eval = model(x)
model.train()
with torch.no_grad():
    out_train = model(x)
np.savez(os.path.join(OUT, "resnet18.npz"), input=x.numpy(), out_eval=out_eval.numpy(),
         out_train=out_train.numpy(), **weights)
ref["resnet18"] = {"width": 0.125, "inChannels": 3, "featureDim": dim, "tensors": len(weights)}

# 6. weight gradients of narrow ResNet-18s (widths 0.0625, 0.125: downsampling 1x1 convolutions with 4 and 8 input
#    channels, where oneDNN's vectorised backward-weights kernels have been wrong; the engine runs them contiguous)
#    and of widths 0.25, 0.5 (16 and 32: the engine runs them channels-last), one training-mode step on a
#    fixed linear functional of the features. Weights and pixels come from formulas both sides compute, so no
#    tensor is stored: per trainable tensor, its gradient's L2 norm, sum and 16 entries at fixed positions. Computed
#    in float64 on contiguous tensors (no oneDNN involved): the exact answer the engine's float32 must be close to.


def formula_tensor(i, shape, rank1):
    n = int(np.prod(shape))
    j = np.arange(n, dtype=np.float64)
    wave = np.sin(0.7 * j + 1.3 * i)
    if rank1:
        return (1.0 + 0.2 * wave).reshape(shape)
    fan_in = n / shape[0]
    return (wave / math.sqrt(fan_in)).reshape(shape)


def formula_pixels(n, h, w, c):
    j = np.arange(n * h * w * c, dtype=np.int64)
    return ((j * 2654435761) >> 13) & 255


def sampled_positions(n):
    return [(k * 7919) % n for k in range(16)]


narrow = {"batch": 4, "side": 16, "mean": 0.5, "std": 0.25, "cases": []}
for width, cin in [(0.0625, 1), (0.0625, 3), (0.125, 1), (0.25, 1), (0.25, 3), (0.5, 1)]:
    model, dim = st.encoder("resnet", 18, width, cin)
    model = model.double()
    state = st.ordered_state(model)
    with torch.no_grad():
        for i, (name, t) in enumerate(state):
            t.copy_(torch.from_numpy(formula_tensor(i, tuple(t.shape), t.dim() == 1)))
    b, side = narrow["batch"], narrow["side"]
    px = formula_pixels(b, side, side, cin).reshape(b, side, side, cin)
    x = torch.from_numpy((px / 255.0 - narrow["mean"]) / narrow["std"]).permute(0, 3, 1, 2).contiguous()
    model.train()
    out = model(x)
    r = torch.sin(0.3 * torch.arange(out.numel(), dtype=torch.float64)).reshape(out.shape)
    (out * r).sum().backward()
    params = dict(model.named_parameters())
    grads = []
    for i, (name, t) in enumerate(state):
        if name in params:
            g = params[name].grad.reshape(-1)
            pos = sampled_positions(g.numel())
            grads.append({"index": i, "name": name, "norm": g.norm().item(), "sum": g.sum().item(),
                          "positions": pos, "values": [g[k].item() for k in pos]})
    narrow["cases"].append({"width": width, "inChannels": cin, "tensors": len(state), "gradients": grads})
ref["narrowGradients"] = narrow

with open(os.path.join(OUT, "engine.json"), "w") as f:
    json.dump(ref, f, indent=1)
print("wrote", OUT, "torch", torch.__version__, "encoders", {k: v["params"] for k, v in counts.items()})
