"""Baseline for 1-channel images: torchvision's SimCLR augmentation on one CPU thread, two views per image.

The same pipeline as ../shared/bench/torchvision_augment.py (which makes 3-channel images only) on 8-bit grey
PIL images ('L'): torchvision skips saturation and hue on them, as our library does. Last line: images/s.
usage: python3 torchvision_augment_gray.py [--size 28] [--n 2000] [--strength 0.8]
"""
import argparse, time, numpy as np, torch
from PIL import Image
import torchvision.transforms as T

if __name__ == '__main__':
    p = argparse.ArgumentParser()
    p.add_argument('--size', type=int, default=28); p.add_argument('--n', type=int, default=2000)
    p.add_argument('--strength', type=float, default=0.8)
    a = p.parse_args(); torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    imgs = [Image.fromarray(rng.integers(0, 256, (a.size, a.size), dtype=np.uint8), mode='L') for _ in range(a.n)]
    s = a.strength
    tf = T.Compose([T.RandomResizedCrop(a.size, scale=(0.08, 1.0)), T.RandomHorizontalFlip(),
                    T.RandomApply([T.ColorJitter(0.8 * s, 0.8 * s, 0.8 * s, 0.2 * s)], p=0.8),
                    T.RandomGrayscale(p=0.2), T.ToTensor()])
    for im in imgs[:100]: tf(im); tf(im)
    t0 = time.perf_counter()
    for im in imgs: tf(im); tf(im)
    dt = time.perf_counter() - t0
    print(f"torchvision {__import__('torchvision').__version__} size={a.size}x{a.size}x1 n={a.n}")
    print(f"images_per_s={a.n / dt:.1f}")
