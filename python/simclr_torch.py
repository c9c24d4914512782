"""PyTorch mirrors of the platform's encoders, and the loader of exported weights.

The Java engine (dev.simclr.engine) and these modules register their parameters in the same order with
the same shapes, so an exported state (an .npz whose entries are p0000_<name>, p0001_<name>, ... in DJL's
parameter order: conv weight; batch-norm gamma, beta, running mean, running var; linear weight, bias) loads here
by position, each shape checked:

    import numpy as np, simclr_torch
    model = simclr_torch.encoder("resnet", 18, 0.5, in_channels=1)
    simclr_torch.load_exported(model, np.load("encoder.npz"))
    features = model.eval()(images)      # images: float32 N x C x H x W, normalised as in training

Needs only torch (Debian's python3-torch 1.13 works).
"""
import math

import numpy as np
import torch
from torch import nn


def channels(base, width):
    """Channels of a stage at a width multiplier: at least 1, rounded down (the Java engine does the same)."""
    return max(1, int(math.floor(base * width)))


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(),
            nn.Conv2d(cout, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout))
        self.shortcut = shortcut(cin, cout, stride)

    def forward(self, x):
        return torch.relu(self.main(x) + self.shortcut(x))


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, cin, planes, stride):
        super().__init__()
        cout = planes * 4
        self.main = nn.Sequential(
            nn.Conv2d(cin, planes, 1, 1, 0, bias=False), nn.BatchNorm2d(planes), nn.ReLU(),
            nn.Conv2d(planes, planes, 3, stride, 1, bias=False), nn.BatchNorm2d(planes), nn.ReLU(),
            nn.Conv2d(planes, cout, 1, 1, 0, bias=False), nn.BatchNorm2d(cout))
        self.shortcut = shortcut(cin, cout, stride)

    def forward(self, x):
        return torch.relu(self.main(x) + self.shortcut(x))


def shortcut(cin, cout, stride):
    if stride == 1 and cin == cout:
        return nn.Identity()
    return nn.Sequential(nn.Conv2d(cin, cout, 1, stride, 0, bias=False), nn.BatchNorm2d(cout))


RESNET_BLOCKS = {18: (BasicBlock, [2, 2, 2, 2]), 34: (BasicBlock, [3, 4, 6, 3]), 50: (Bottleneck, [3, 4, 6, 3])}
VGG_STAGES = {11: [[64], [128], [256, 256], [512, 512], [512, 512]],
              16: [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]]}


def resnet(depth, width, in_channels):
    """CIFAR-style ResNet: 3x3 stem, no max-pool, four stages, global average pool."""
    block, counts = RESNET_BLOCKS[depth]
    c = channels(64, width)
    layers = [nn.Conv2d(in_channels, c, 3, 1, 1, bias=False), nn.BatchNorm2d(c), nn.ReLU()]
    cin = c
    for stage, n in enumerate(counts):
        planes = channels(64 * 2 ** stage, width)
        for i in range(n):
            stride = 2 if stage > 0 and i == 0 else 1
            layers.append(block(cin, planes, stride))
            cin = planes * block.expansion
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
    return nn.Sequential(*layers), cin


def vgg(depth, width, in_channels):
    """VGG with batch norm; 2x2 max-pool after every stage but the last, then global average pool."""
    layers, cin = [], in_channels
    stages = VGG_STAGES[depth]
    for s, stage in enumerate(stages):
        for base in stage:
            c = channels(base, width)
            layers += [nn.Conv2d(cin, c, 3, 1, 1, bias=False), nn.BatchNorm2d(c), nn.ReLU()]
            cin = c
        if s < len(stages) - 1:
            layers.append(nn.MaxPool2d(2, 2))
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
    return nn.Sequential(*layers), cin


def encoder(family, depth, width, in_channels=3):
    """The encoder alone (features); returns (module, feature_dim) like the Java Encoders.build."""
    return (resnet if family == "resnet" else vgg)(depth, width, in_channels)


def projection_head(dim, layers, out_dim=128):
    """SimCLR projection: (layers - 1) x [Linear(no bias), BatchNorm, ReLU] then Linear(out_dim)."""
    mods = []
    for _ in range(layers - 1):
        mods += [nn.Linear(dim, dim, bias=False), nn.BatchNorm1d(dim), nn.ReLU()]
    mods.append(nn.Linear(dim, out_dim))
    return nn.Sequential(*mods)


def dense_head(dim, hidden, classes):
    """The frozen-base student's head: [Linear, ReLU] per hidden size, then Linear(classes)."""
    mods, cin = [], dim
    for h in hidden:
        mods += [nn.Linear(cin, h), nn.ReLU()]
        cin = h
    mods.append(nn.Linear(cin, classes))
    return nn.Sequential(*mods)


def ordered_state(model):
    """The tensors of a module in the Java engine's parameter order (num_batches_tracked is torch-only)."""
    return [(k, t) for k, t in model.state_dict().items() if not k.endswith("num_batches_tracked")]


def load_exported(model, npz):
    """Copies an exported .npz (p0000_<name>, ...) into model by position; every shape must match."""
    keys = sorted(k for k in npz.files if k.startswith("p"))
    state = ordered_state(model)
    if len(keys) != len(state):
        raise ValueError(f"export has {len(keys)} tensors, model has {len(state)}")
    with torch.no_grad():
        for key, (name, tensor) in zip(keys, state):
            value = torch.from_numpy(np.array(npz[key]))
            if tuple(value.shape) != tuple(tensor.shape):
                raise ValueError(f"{key} has shape {tuple(value.shape)}, {name} needs {tuple(tensor.shape)}")
            tensor.copy_(value)
    return model


def export(model):
    """The inverse of load_exported: {p0000_<torch name>: array}."""
    return {f"p{i:04d}_{name.replace('.', '_')}": t.detach().numpy().copy()
            for i, (name, t) in enumerate(ordered_state(model))}


def param_count(model):
    return sum(p.numel() for p in model.parameters())
