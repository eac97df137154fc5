"""Export the trained generator in a form onnxruntime-web's WebAssembly runs fast.

The plain torch export (ConvTranspose, BatchNormalization, ConvTranspose ...)
spent most of its browser time in two places (ort-web 1.30 profile, batch
16): the first ConvTranspose, which onnxruntime runs image by image as a
matrix-vector product over a 1.6 MB weight, and the 256->128 ConvTranspose,
which it also runs image by image (a 2048x256 weight against 16 pixels).
The same function written in NHWC as MatMuls over all pixels of all images
at once lets each GEMM reuse a weight across the whole batch:

  layer 1: z @ W1  (a ConvTranspose of a 1x1 input is a plain matrix product)
  layer 2: Winograd F(2x2, 2x2) (upsample_winograd): 36 GEMMs over all 2x2
           output tiles, 9 products where the direct form needs 16
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


# Winograd F(2, 2) for the same transposed convolution, per axis. Output
# phase p (rows 2a + p) is a 2-tap filter over the zero-padded input:
# phase 0: x[a-1]*w[3] + x[a]*w[1]; phase 1: x[a]*w[2] + x[a+1]*w[0]. Two
# neighbouring outputs of a 2-tap filter, y0 = d0 g0 + d1 g1 and
# y1 = d1 g0 + d2 g1, need 3 products instead of 4:
#   m0 = (d0 - d1) g0,  m1 = d1 (g0 + g1),  m2 = (d2 - d1) g1,
#   y0 = m0 + m1,       y1 = m1 + m2.
# Over both axes that is 9 products instead of 16: the GEMM shrinks to
# 9/16 of its multiply-adds, for a few adds and copies of activations.
# _KERNEL[k, p, tap]: the weight combination of product k for phase p
# (k = 2 carries a minus sign because the input side computes d1 - d2).
_KERNEL = np.zeros((3, 2, 4), np.float32)
for _phase, (_g0, _g1) in enumerate(((3, 1), (2, 0))):
    _KERNEL[0, _phase, _g0] = 1
    _KERNEL[1, _phase, [_g0, _g1]] = 1
    _KERNEL[2, _phase, _g1] = -1
# (ky, kx) taps -> (k_y, p_y, k_x, p_x): 16 x 36.
_KERNEL_2D = torch.from_numpy(np.einsum("kpa,lqb->abkplq", _KERNEL, _KERNEL).reshape(16, 36).copy())


def winograd_rows(x, axis, size):
    """The input side of F(2, 2) along one axis of size `size` (even), for
    all windows at once: index (k, tile, phase) along `axis`, 3 * size long.
    Window s = 2 * tile + phase covers padded rows s..s+2 = x[s-1..s+1]."""
    first = x.narrow(axis, 0, 1)
    last = x.narrow(axis, size - 1, 1)
    step = x.narrow(axis, 0, size - 1) - x.narrow(axis, 1, size - 1)  # x[j] - x[j+1]
    # k = 0: d0 - d1 = x[s-1] - x[s]; k = 1: d1 = x[s]; k = 2: d1 - d2 = x[s] - x[s+1].
    return torch.cat([-first, step, x, step, last], dim=axis)


def upsample_winograd(x, weight, scale, size):
    """upsample() computed with Winograd F(2x2, 2x2): 36 GEMMs (k_y, p_y,
    k_x, p_x) of (images x 2x2 tiles) rows, 9 products per 4 outputs."""
    n_in, n_out = weight.shape[0], weight.shape[1]
    tiles = size // 2
    w = (weight * scale.view(1, -1, 1, 1)).reshape(n_in * n_out, 16)
    u = (w @ _KERNEL_2D).reshape(n_in, n_out, 36).permute(2, 0, 1)
    v = winograd_rows(winograd_rows(x, 1, size), 2, size)  # N, (k, t, p), (k, t, p), C
    v = v.reshape(-1, 3, tiles, 2, 3, tiles, 2, n_in).permute(1, 3, 4, 6, 0, 2, 5, 7)
    m = (v.reshape(36, -1, n_in) @ u).reshape(3, 2, 3, 2, -1, tiles, tiles, n_out)
    m = m[0:2] + m[1:3]  # y0 = m0 + m1, y1 = m1 + m2, rows
    m = m[:, :, 0:2] + m[:, :, 1:3]  # and columns: (j_y, p_y, j_x, p_x, N, t_y, t_x, C)
    # Output row 4 t + 2 j + p.
    return m.permute(4, 5, 0, 1, 6, 2, 3, 7).reshape(-1, 2 * size, 2 * size, n_out)


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
        # Three output channels: Winograd's 36 GEMMs would each be 3 wide,
        # so the last layer keeps one GEMM and col2im.
        images = upsample(h, net[6].weight, torch.ones(net[6].out_channels), 2 * side)
        return ((torch.tanh(images) + 1.0) * 0.5).clamp(0.0, 1.0)


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
