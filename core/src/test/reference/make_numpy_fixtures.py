"""Small .npy/.npz files written by numpy itself, for the importers' tests (DatasetStoreIT): run with Debian's
python3-numpy from the repository root; the outputs are committed under core/src/test/resources/numpy/."""
import numpy as np

out = "core/src/test/resources/numpy/"
# Keras's mnist.npz layout: uint8 N×H×W images, integer labels; -1 marks an image without a label
x_train = (np.arange(6 * 4 * 5) % 256).astype(np.uint8).reshape(6, 4, 5)
y_train = np.array([0, 1, 2, -1, -1, 1], dtype=np.int32)
x_test = (255 - np.arange(3 * 4 * 5) % 256).astype(np.uint8).reshape(3, 4, 5)
y_test = np.array([2, 0, 1], dtype=np.uint8)
np.savez_compressed(out + "keras-layout.npz", x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
# RGB images without labels, as one .npy
np.save(out + "rgb-unlabelled.npy", (np.arange(4 * 3 * 2 * 3) % 256).astype(np.uint8).reshape(4, 3, 2, 3))
# float images: refused (they must be uint8)
np.save(out + "float-images.npy", np.zeros((2, 4, 4), dtype=np.float32))
