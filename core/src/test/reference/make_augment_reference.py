"""Reference outputs of torchvision's augmentation operations, for dev.simclr.core.augment tests.

Run: python3 core/src/test/reference/make_augment_reference.py  (Debian python3-torch 1.13, python3-torchvision 0.14)
Writes core/src/test/resources/reference/augment.json:
  inputs:  fixed uint8 images (HWC, base64);
  cases:   one operation with fixed parameters applied by torchvision.transforms.functional to a uint8 CHW tensor,
           output uint8 HWC base64 (the tensor path: its arithmetic is specified, PIL's hue goes through 8-bit HSV);
  samples: parameters drawn by torchvision's own samplers (RandomResizedCrop.get_params, ColorJitter.get_params,
           GaussianBlur.get_params), for distribution tests of our samplers.
"""
import base64, json, math, os
import numpy as np, torch, torchvision
import torchvision.transforms as T
import torchvision.transforms.functional as F

OUT = os.path.join(os.path.dirname(__file__), '..', 'resources', 'reference', 'augment.json')


def b64(a):
    return base64.b64encode(np.ascontiguousarray(a, dtype=np.uint8).tobytes()).decode()


def image(seed, h, w, c):
    """Smooth gradients plus noise: exercises interpolation and every hue sector."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    chans = [np.clip(127 + 100 * np.sin(x / (3 + k) + y / (5 + 2 * k) + k) + rng.normal(0, 20, (h, w)), 0, 255)
             for k in range(c)]
    return np.stack(chans, axis=-1).astype(np.uint8)


def chw(a):
    return torch.from_numpy(a).permute(2, 0, 1).contiguous()


def hwc(t):
    return t.permute(1, 2, 0).numpy()


inputs = {'rgb32': image(1, 32, 32, 3), 'gray28': image(2, 28, 28, 1), 'rgb20x24': image(3, 20, 24, 3),
          'rgb64': image(4, 64, 64, 3)}
cases = []


def case(name, inp, op, params, out):
    cases.append({'name': name, 'input': inp, 'op': op, 'params': params, 'shape': list(out.shape), 'output': b64(out)})


for inp in inputs:
    t = chw(inputs[inp])
    _, h, w = t.shape
    size = [32, 32] if inp != 'rgb64' else [24, 24]
    boxes = [(0, 0, h, w), (3, 5, h // 2, w // 3), (h - 7, w - 9, 7, 9), (1, 2, h - 3, w - 2), (4, 1, 5, 5)]
    for (i, j, bh, bw) in boxes:
        out = F.resized_crop(t, i, j, bh, bw, size, interpolation=T.InterpolationMode.BILINEAR, antialias=True)
        case(f'crop {inp} {i},{j},{bh},{bw}', inp, 'resized_crop', {'top': i, 'left': j, 'height': bh, 'width': bw,
                                                                      'outHeight': size[0], 'outWidth': size[1]}, hwc(out))
    case(f'hflip {inp}', inp, 'hflip', {}, hwc(F.hflip(t)))
    for f in [0.2, 0.55, 1.0, 1.37, 1.8]:
        case(f'brightness {inp} {f}', inp, 'brightness', {'factor': f}, hwc(F.adjust_brightness(t, f)))
        case(f'contrast {inp} {f}', inp, 'contrast', {'factor': f}, hwc(F.adjust_contrast(t, f)))
        case(f'saturation {inp} {f}', inp, 'saturation', {'factor': f}, hwc(F.adjust_saturation(t, f)))
    for f in [-0.5, -0.2, -0.07, 0.0, 0.13, 0.2, 0.5]:
        case(f'hue {inp} {f}', inp, 'hue', {'factor': f}, hwc(F.adjust_hue(t, f)))
    if t.shape[0] == 3:
        case(f'grayscale {inp}', inp, 'grayscale', {}, hwc(F.rgb_to_grayscale(t, num_output_channels=3)))
    for k, s in [(3, 0.1), (3, 0.7), (3, 2.0), (5, 1.3)]:
        case(f'blur {inp} k{k} s{s}', inp, 'blur', {'kernel': k, 'sigma': s}, hwc(F.gaussian_blur(t, [k, k], [s, s])))
    # colour jitter as ColorJitter.forward applies it: the four adjustments in a given order
    for order, (b, c, s, hu) in [([0, 1, 2, 3], (1.5, 0.6, 1.7, 0.1)), ([3, 2, 1, 0], (0.4, 1.6, 0.3, -0.15)),
                                 ([2, 0, 3, 1], (1.1, 1.3, 0.0, 0.2))]:
        x = t
        for fn in order:
            x = [lambda y: F.adjust_brightness(y, b), lambda y: F.adjust_contrast(y, c),
                 lambda y: F.adjust_saturation(y, s), lambda y: F.adjust_hue(y, hu)][fn](x)
        case(f'jitter {inp} {order}', inp, 'jitter', {'order': order, 'brightness': b, 'contrast': c,
                                                        'saturation': s, 'hue': hu}, hwc(x))

torch.manual_seed(0)
samples = {}
for (h, w) in [(32, 32), (28, 28), (20, 60)]:
    img = torch.zeros(1, h, w)
    boxes = [T.RandomResizedCrop.get_params(img, scale=[0.08, 1.0], ratio=[3 / 4, 4 / 3]) for _ in range(4000)]
    samples[f'crop {h}x{w}'] = [list(map(int, b)) for b in boxes]
jit = []
for _ in range(4000):
    fn_idx, b, c, s, hu = T.ColorJitter.get_params([0.2, 1.8], [0.2, 1.8], [0.2, 1.8], [-0.2, 0.2])
    jit.append([int(i) for i in fn_idx] + [b, c, s, hu])
samples['jitter s=1'] = jit
samples['blur sigma 0.1-2.0'] = [T.GaussianBlur.get_params(0.1, 2.0) for _ in range(4000)]

os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, 'w') as f:
    json.dump({'torch': torch.__version__, 'torchvision': torchvision.__version__,
               'inputs': {k: {'shape': list(v.shape), 'pixels': b64(v)} for k, v in inputs.items()},
               'cases': cases, 'samples': samples}, f)
print(f'wrote {len(cases)} cases and {len(samples)} sample sets to {os.path.normpath(OUT)}')
