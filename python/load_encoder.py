#!/usr/bin/env python3
"""Load an encoder exported by the platform into PyTorch and compute features.

    python3 python/load_encoder.py encoder.npz images.npy features.npy

encoder.npz: what EncoderExport writes (./simclr export, or checkpoints/<run>/.../encoder.npz).
images.npy:  float32 N x C x H x W, already normalised as in training (meta.normalization gives mean and std
             per channel of images scaled to [0, 1]).
features.npy: float32 N x D, the encoder's features in eval mode.
"""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import simclr_torch as st  # noqa: E402


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
    images = torch.from_numpy(np.load(sys.argv[2]).astype(np.float32))
    with torch.no_grad():
        features = model(images).numpy()
    np.save(sys.argv[3], features)
    print(f"{meta['family']}-{meta['depth']} width {meta['width']}: features {features.shape}")
