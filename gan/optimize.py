"""Export the trained generator in a form onnxruntime-web's WebAssembly runs fast.

The plain torch export (ConvTranspose, BatchNormalization, ConvTranspose ...)
spent most of its browser time in two places (ort-web 1.30 profile, batch
16): the first ConvTranspose, which onnxruntime runs image by image as a
matrix-vector product over a 1.6 MB weight, and the 256->128 ConvTranspose,
which it also runs image by image (a 2048x256 weight against 16 pixels).
The same function written in NHWC as MatMuls over all pixels of all images
at once lets each GEMM reuse a weight across the whole batch:

  layer 1: z @ W1  (a ConvTranspose of a 1x1 input is a plain matrix product)
  layer 2: Winograd F(4x4, 2x2) (upsample_winograd): 100 GEMMs of
           (images x channels), 25 products per 16 outputs where the direct
           form needs 64
  layer 3: cols = x @ W3 for every tap of every pixel, then col2im: each
           output pixel of a stride-2, kernel-4, padding-1 transposed
           convolution sums exactly two taps per axis, from its own input
           pixel and one neighbour; done with slices and adds (upsample)

BatchNorm (eval) is an affine map per channel: its scale is folded into the
weight columns and its shift added before ReLU. The output is NHWC already,
so the final transpose disappears.

Nothing is retrained or approximated (the arithmetic is exact; float
rounding moves outputs by under 1e-6): the graph computes these weight
transforms from the trained parameters, which stay in the file as
initializers under their torch names (onnxruntime folds the transforms once
when the session is created), so onnx_weights.load_generator still rebuilds
the torch model from the file, and this script can re-export its own output.

`/usr/bin/python3 gan/optimize.py` rewrites gan/model/generator.onnx from
the weights in it and checks the result against gan/model/reference.json;
gan/train.py exports through export_onnx() below.
"""

import json
import os
import sys

import numpy as np
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from onnx_weights import load_generator  # noqa: E402
from train import IMAGE, LATENT, latent_for_seed  # noqa: E402

# The browser's tests accept 1e-4 against the torch reference (model.test.ts);
# the rewrite must stay far inside that.
TOLERANCE = 1e-5


def batchnorm_affine(bn):
    """Eval-mode BatchNorm as scale * x + shift per channel."""
    scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
    return scale, bn.bias - bn.running_mean * scale


def shifted_sum(t, axis, size, block, own, neighbour):
    """out[a] = t[a][block own] + t[a + step][block neighbour], zero outside.

    `own` is a kernel tap index; `neighbour` is (tap index, step) with step
    -1 or +1. Blocks are channel ranges of width `block` on the last axis.
    Sizes are Python ints, so the export has no shape arithmetic at run time.
    """
    tap, step = neighbour

    def take(start, length, k):
        return t.narrow(axis, start, length)[..., k * block : (k + 1) * block]

    if step < 0:  # the first row has no row above it
        inner = take(1, size - 1, own) + take(0, size - 1, tap)
        return torch.cat([take(0, 1, own), inner], dim=axis)
    inner = take(0, size - 1, own) + take(1, size - 1, tap)
    return torch.cat([inner, take(size - 1, 1, own)], dim=axis)


def upsample(x, weight, scale, size):
    """ConvTranspose2d(kernel 4, stride 2, padding 1, no bias) on NHWC `x`
    (size x size pixels), with `scale` multiplied into the output channels:
    one GEMM for every tap of every pixel, then col2im by shifted adds."""
    n_in, n_out = weight.shape[0], weight.shape[1]
    # Columns ordered (ky, kx, out channel).
    w = (weight * scale.view(1, -1, 1, 1)).permute(0, 2, 3, 1).reshape(n_in, 16 * n_out)
    cols = (x.reshape(-1, n_in) @ w).reshape(-1, size, size, 16 * n_out)
    # Output row 2a takes tap 1 of input row a and tap 3 of row a-1;
    # row 2a+1 takes tap 2 of row a and tap 0 of row a+1. Same for columns.
    even = shifted_sum(cols, 1, size, 4 * n_out, 1, (3, -1))
    odd = shifted_sum(cols, 1, size, 4 * n_out, 2, (0, 1))
    rows = torch.stack([even, odd], dim=2)  # N, H, 2, W, 4*C
    even = shifted_sum(rows, 3, size, n_out, 1, (3, -1))
    odd = shifted_sum(rows, 3, size, n_out, 2, (0, 1))
    return torch.stack([even, odd], dim=4).reshape(-1, 2 * size, 2 * size, n_out)


# Winograd F(4, 2) (Toom-Cook) for the same transposed convolution, per
# axis. Output phase p (rows 2a + p) is a 2-tap correlation over the
# zero-padded input: phase 0: y[a] = x[a-1] w[3] + x[a] w[1]; phase 1:
# y[a] = x[a] w[2] + x[a+1] w[0]. Four outputs of a 2-tap correlation,
# y[i] = g0 d[i] + g1 d[i+1] over d[0..4], need 5 products instead of 8:
#   y = A^T ((G g) * (B^T d)),
# the transpose of Toom-Cook's linear convolution at the points 0, 1, -1, 2
# and infinity. The layer's input is 4x4 pixels, so each phase is one tile:
# over both axes and both phases, 100 GEMMs of (images x channels) against
# 256x128 weights, 25 products per 16 outputs where the direct form needs 64
# (F(2, 2), the previous export, needed 36). Every GEMM has its own 2-D
# weight, which onnxruntime packs once at session creation; a single batched
# MatMul would repack a 3-D weight on every run.
_POINTS = (0.0, 1.0, -1.0, 2.0, None)  # None: the point at infinity


def _evaluation(degree):
    """Rows that evaluate a polynomial of `degree` at each point."""
    return np.array(
        [[0.0] * degree + [1.0] if p is None else [p**i for i in range(degree + 1)] for p in _POINTS]
    )


_DATA = np.linalg.inv(_evaluation(4)).T  # B^T, 5x5, applied to d[0..4]
_FILTER = _evaluation(1)  # G, 5x2, applied to (g0, g1)
_OUTPUT = _evaluation(3).T  # A^T, 4x5, applied to the 5 products
_TAPS = ((3, 1), (2, 0))  # phase -> kernel taps (g0, g1)
# Input side for both phases, on the unpadded 4 pixels of an axis (the
# padding is zero, so its columns drop out): rows (phase, product).
_INPUT_ROWS = np.concatenate([_DATA[:, 1:5], _DATA[:, 0:4]])  # 10 x 4
# Output side: output pixel 2a + p from the 5 products of phase p.
_OUTPUT_ROWS = np.zeros((8, 10))
for _phase in range(2):
    for _a in range(4):
        _OUTPUT_ROWS[2 * _a + _phase, 5 * _phase : 5 * _phase + 5] = _OUTPUT[_a]
# Weight side: the 16 (ky, kx) taps -> the 100 products (p_y, k_y, p_x, k_x).
_WEIGHT_ROWS = np.zeros((16, 100))
for _py, _ky, _px, _kx in np.ndindex(2, 5, 2, 5):
    for _jy, _jx in np.ndindex(2, 2):
        _WEIGHT_ROWS[_TAPS[_py][_jy] * 4 + _TAPS[_px][_jx], ((_py * 5 + _ky) * 2 + _px) * 5 + _kx] += (
            _FILTER[_ky, _jy] * _FILTER[_kx, _jx]
        )
_INPUT_ROWS, _OUTPUT_ROWS, _WEIGHT_ROWS = (
    torch.from_numpy(m.astype(np.float32)) for m in (_INPUT_ROWS, _OUTPUT_ROWS, _WEIGHT_ROWS)
)


def _split_rows(t, steps):
    """t split along axis 0 into single rows, through Splits of at most 5
    outputs each: onnxruntime-web's WebGPU Split binds every output as a
    storage buffer in one shader, and 100 outputs are past the limit (8 by
    default), so a single Split failed on a GPU. The extra levels copy the
    (small) transformed input twice more."""
    parts = [t]
    for step in steps:
        parts = [piece for part in parts for piece in torch.split(part, step, 0)]
    return parts


def upsample_winograd(x, weight, scale, size):
    """upsample() of a 4x4 NHWC input computed with Winograd F(4x4, 2x2)."""
    if size != 4:
        raise ValueError(f"upsample_winograd is written for a 4x4 input, not {size}x{size}")
    n_in, n_out = weight.shape[0], weight.shape[1]
    # Products first, so each product's weight is a contiguous block: the
    # transpose moves the 16 taps (0.5 M values), not the 100 products (3.3 M).
    taps = (weight * scale.view(1, -1, 1, 1)).reshape(n_in * n_out, 16).t()
    u = (_WEIGHT_ROWS.t() @ taps).reshape(100, n_in, n_out)
    # The input transform on the two pixel axes, each a small MatMul with
    # that axis in front (H, W, N, C): no large transposes, and each
    # product's (images x channels) block comes out contiguous.
    v = (_INPUT_ROWS @ x.permute(1, 2, 0, 3).reshape(size, -1)).reshape(10, size, -1)
    v = (_INPUT_ROWS @ v).reshape(100, -1, n_in)
    products = zip(_split_rows(v, (25, 5, 1)), torch.split(u, 1, 0))
    m = torch.cat([vi @ ui[0] for vi, ui in products], 0)
    m = (_OUTPUT_ROWS @ m.reshape(10, -1)).reshape(8, 10, -1)
    m = (_OUTPUT_ROWS @ m).reshape(2 * size, 2 * size, -1, n_out)  # H, W, N, C
    return m.permute(2, 0, 1, 3)


_ZERO, _ONE = torch.tensor(0.0), torch.tensor(1.0)


class BrowserGenerator(nn.Module):
    """Exported(generator)'s function, z[N,100] -> NHWC pixels in [0, 1],
    written as MatMuls over the whole batch (see the module docstring)."""

    def __init__(self, generator):
        super().__init__()
        self.generator = generator

    def forward(self, z):
        net = self.generator.net
        side = net[0].kernel_size[0]
        scale, shift = batchnorm_affine(net[1])
        # ConvTranspose from a 1x1 input: output pixel (y, x) of channel c is
        # z . W[:, c, y, x]; columns ordered (y, x, c) give NHWC directly.
        w = (net[0].weight * scale.view(1, -1, 1, 1)).permute(0, 2, 3, 1).reshape(LATENT, -1)
        h = torch.relu(z @ w + shift.repeat(side * side)).reshape(-1, side, side, scale.numel())
        scale, shift = batchnorm_affine(net[4])
        h = torch.relu(upsample_winograd(h, net[3].weight, scale, side) + shift)
        # Three output channels: Winograd's 100 GEMMs would each be 3 wide,
        # so the last layer keeps one GEMM and col2im.
        images = upsample(h, net[6].weight, torch.ones(net[6].out_channels), 2 * side)
        # Float bounds: Python numbers export as double constants behind a
        # Cast, which onnxruntime-web's WebGPU build can neither run nor fold
        # (session creation failed with "Provider type for Cast node ... is
        # not set").
        return ((torch.tanh(images) + 1.0) * 0.5).clamp(_ZERO, _ONE)


def export_onnx(generator, path):
    """Writes the browser form of `generator` (eval mode) to `path`."""
    generator.eval()
    torch.onnx.export(
        BrowserGenerator(generator).eval(),
        torch.zeros(1, LATENT),
        path,
        input_names=["z"],
        output_names=["images"],
        dynamic_axes={"z": {0: "batch"}, "images": {0: "batch"}},
        opset_version=17,
        # Folding here would bake the transformed weights in under new
        # names; unfolded, the file keeps the trained parameters and
        # onnxruntime folds the transforms at session creation.
        do_constant_folding=False,
    )


def check(exported, path, reference):
    """Largest difference of the file's weights, rebuilt in torch, run both
    ways, against the torch reference output."""
    rebuilt = load_generator(path)
    seeds = reference["seeds"]
    with torch.no_grad():
        z = torch.from_numpy(np.stack([latent_for_seed(s) for s in range(64)]))
        same_function = float((exported(z) - BrowserGenerator(rebuilt.generator)(z)).abs().max())
        z = torch.from_numpy(np.stack([latent_for_seed(s) for s in seeds]))
        expected = np.array(reference["images"], np.float32).reshape(len(seeds), IMAGE, IMAGE, 3)
        browser_form = float(np.abs(BrowserGenerator(rebuilt.generator)(z).numpy() - expected).max())
    return same_function, browser_form


def main():
    model_dir = os.path.join(HERE, "model")
    onnx_path = os.path.join(model_dir, "generator.onnx")
    exported = load_generator(onnx_path)
    with open(os.path.join(model_dir, "reference.json")) as handle:
        reference = json.load(handle)
    export_onnx(exported.generator, onnx_path)
    same_function, browser_form = check(exported, onnx_path, reference)
    if max(same_function, browser_form) > TOLERANCE:
        raise SystemExit(
            f"the browser form differs: {same_function} from torch, {browser_form} from the reference"
        )
    training_path = os.path.join(model_dir, "training.json")
    if os.path.exists(training_path):
        with open(training_path) as handle:
            training = json.load(handle)
        training["onnx_bytes"] = os.path.getsize(onnx_path)
        with open(training_path, "w") as handle:
            json.dump(training, handle, indent=2)
    print(
        f"wrote {onnx_path} ({os.path.getsize(onnx_path)} bytes); largest difference "
        f"{same_function:.2e} from torch, {browser_form:.2e} from reference.json"
    )


if __name__ == "__main__":
    main()
