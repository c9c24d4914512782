"""Baseline for `./simclr bench augment`: torchvision's SimCLR augmentation on one CPU thread, two views per image.

The pipeline of our policy "simclr strength=S" (dev.simclr.core.augment.AugmentPolicy), in torchvision's terms:
RandomResizedCrop(size, scale 0.08-1, ratio 3/4-4/3), horizontal flip p=0.5, ColorJitter(brightness 0.8S,
contrast 0.8S, saturation 0.8S, hue 0.2S) applied with p=0.8, grayscale p=0.2; no blur (the policy blurs only
images of side >= 64). Random 8-bit images: RGB, or grey ('L') with --channels 1, where torchvision skips
saturation, hue and grayscale as our library does. Each view ends as a uint8 C x H x W tensor (PILToTensor):
our augmenter also hands out 8-bit pixels and leaves the conversion to float to the trainer.

Output, read by the Java bench: a description line, then, last, `images_per_s=<original images per second>`.
usage: python3 torchvision_augment.py [--size 32] [--channels 3] [--n 2000] [--strength 0.8]
"""
import argparse
import time

import numpy as np
import torch
import torchvision
import torchvision.transforms as T
from PIL import Image


def pipeline(size, strength):
    s = strength
    return T.Compose([
        T.RandomResizedCrop(size, scale=(0.08, 1.0), ratio=(3 / 4, 4 / 3)),
        T.RandomHorizontalFlip(p=0.5),
        T.RandomApply([T.ColorJitter(0.8 * s, 0.8 * s, 0.8 * s, 0.2 * s)], p=0.8),
        T.RandomGrayscale(p=0.2),
        T.PILToTensor()])


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--size', type=int, default=32)
    p.add_argument('--channels', type=int, choices=(1, 3), default=3)
    p.add_argument('--n', type=int, default=2000)
    p.add_argument('--strength', type=float, default=0.8)
    a = p.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    shape = (a.size, a.size) if a.channels == 1 else (a.size, a.size, 3)
    images = [Image.fromarray(rng.integers(0, 256, shape, dtype=np.uint8)) for _ in range(a.n)]
    tf = pipeline(a.size, a.strength)
    for im in images[:100]:  # warm-up
        tf(im), tf(im)
    t0 = time.perf_counter()
    for im in images:
        tf(im), tf(im)
    dt = time.perf_counter() - t0
    print(f"torchvision {torchvision.__version__} size={a.size}x{a.size}x{a.channels} n={a.n} strength={a.strength}")
    print(f"images_per_s={a.n / dt:.1f}")


if __name__ == '__main__':
    main()
