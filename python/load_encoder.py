#!/usr/bin/env python3
"""Load an encoder exported by the platform into PyTorch and compute features.

    python3 python/load_encoder.py encoder.npz images.npy features.npy

encoder.npz: what EncoderExport writes (./simclr export, or checkpoints/<run>/.../encoder.npz).
images.npy:  uint8 N x H x W [x C] images as stored (./simclr import, numpy): scaled to [0, 1] and normalised
             with meta.normalization here; or float32 N x C x H x W, already normalised as in training
             (meta.normalization gives mean and std per channel of images scaled to [0, 1]).
features.npy: float32 N x D, the encoder's features in eval mode.
"""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import simclr_torch as st  # noqa: E402


def prepare(images, meta):
    """uint8 N x H x W [x C] -> normalised float32 N x C x H x W, as the platform feeds its encoders."""
    if images.dtype != np.uint8:
        return images.astype(np.float32)
    if images.ndim == 3:
        images = images[..., None]
    norm = meta["normalization"]
    mean = np.asarray(norm["mean"], dtype=np.float32)
    std = np.asarray(norm["std"], dtype=np.float32)
    x = (images.astype(np.float32) / np.float32(255.0) - mean) / std
    return np.ascontiguousarray(x.transpose(0, 3, 1, 2))


def load(path):
    npz = np.load(path)
    meta = json.loads(npz["meta"].tobytes().decode("utf-8"))
    model, dim = st.encoder(meta["family"], meta["depth"], meta["width"], meta["inChannels"])
    st.load_exported(model, npz)
    return model.eval(), meta


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    model, meta = load(sys.argv[1])
    images = torch.from_numpy(prepare(np.load(sys.argv[2]), meta))
    with torch.no_grad():
        features = model(images).numpy()
    np.save(sys.argv[3], features)
    print(f"{meta['family']}-{meta['depth']} width {meta['width']}: features {features.shape}")
