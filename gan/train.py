"""Train the pixel-art DCGAN generator shipped in gan/model/.

Reproducible: fixed seeds, fixed epoch count, single process, CPU only
(Debian's python3-torch). Run through `npm run train:gan`, which renders the
CC0 training set first. Writes:

  model/generator.onnx      the generator, z[N,100] -> images[N,16,16,3] in [0,1]
                            (exported by optimize.py)
  model/reference.json      generator output for a fixed latent, for the tests
  model/samples.png         an 8x8 grid of samples from fixed latents
  model/training.json       figures for the model card (time, losses, sizes)
"""

import argparse
import json
import math
import os
import time

import numpy as np
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
LATENT = 100
IMAGE = 16


def mulberry32(seed):
    """The same tiny PRNG the browser uses (src/gan/latent.ts), so a seed
    means the same latent vector in the kernel, in the browser and here."""
    state = seed & 0xFFFFFFFF

    def next_float():
        nonlocal state
        state = (state + 0x6D2B79F5) & 0xFFFFFFFF
        t = state
        t = ((t ^ (t >> 15)) * (t | 1)) & 0xFFFFFFFF
        t ^= (t + (((t ^ (t >> 7)) * (t | 61)) & 0xFFFFFFFF)) & 0xFFFFFFFF
        return ((t ^ (t >> 14)) & 0xFFFFFFFF) / 4294967296

    return next_float


def latent_for_seed(seed):
    """Standard normal latent from a seed via Box-Muller (mirrors latent.ts)."""
    rand = mulberry32(seed)
    values = []
    while len(values) < LATENT:
        u1 = rand()
        u2 = rand()
        radius = math.sqrt(-2.0 * math.log(1.0 - u1))
        values.append(radius * math.cos(2 * math.pi * u2))
        values.append(radius * math.sin(2 * math.pi * u2))
    return np.array(values[:LATENT], dtype=np.float32)


class Generator(nn.Module):
    """DCGAN generator at the avatars' native 16x16: 100 -> 4x4x256 ->
    8x8x128 -> 16x16x3. Pixel art has no detail finer than its pixels, so a
    larger canvas would only spend the 2-core training budget on upscaling."""

    def __init__(self, width=64):
        super().__init__()
        self.net = nn.Sequential(
            nn.ConvTranspose2d(LATENT, width * 4, 4, 1, 0, bias=False),
            nn.BatchNorm2d(width * 4),
            nn.ReLU(True),
            nn.ConvTranspose2d(width * 4, width * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(width * 2),
            nn.ReLU(True),
            nn.ConvTranspose2d(width * 2, 3, 4, 2, 1, bias=False),
            nn.Tanh(),
        )

    def forward(self, z):
        return self.net(z.view(-1, LATENT, 1, 1))


class Discriminator(nn.Module):
    """16x16x3 -> 8x8 -> 4x4 -> one logit."""

    def __init__(self, width=64):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(3, width, 4, 2, 1, bias=False),
            nn.LeakyReLU(0.2, True),
            nn.Conv2d(width, width * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(width * 2),
            nn.LeakyReLU(0.2, True),
            nn.Conv2d(width * 2, 1, 4, 1, 0, bias=False),
        )

    def forward(self, x):
        return self.net(x).view(-1)


class Exported(nn.Module):
    """What ships: latent in, display-ready NHWC pixels in [0, 1] out, so the
    browser and the kernel need no post-processing knowledge."""

    def __init__(self, generator):
        super().__init__()
        self.generator = generator

    def forward(self, z):
        images = self.generator(z)
        return ((images + 1.0) * 0.5).clamp(0.0, 1.0).permute(0, 2, 3, 1)


def init_weights(module):
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.normal_(module.weight, 0.0, 0.02)
    elif isinstance(module, nn.BatchNorm2d):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


def load_dataset(path):
    raw = np.fromfile(path, dtype=np.uint8).reshape(-1, IMAGE, IMAGE, 3)
    images = torch.from_numpy(raw).permute(0, 3, 1, 2).float() / 127.5 - 1.0
    return images.contiguous()


def save_grid(images, path, columns=8, scale=6):
    from PIL import Image

    pixels = (images * 255.0).round().clip(0, 255).astype(np.uint8)
    n, h, w, c = pixels.shape
    rows = math.ceil(n / columns)
    grid = np.full((rows * (h + 2) + 2, columns * (w + 2) + 2, c), 255, np.uint8)
    for i in range(n):
        r, col = divmod(i, columns)
        y = 2 + r * (h + 2)
        x = 2 + col * (w + 2)
        grid[y : y + h, x : x + w] = pixels[i]
    image = Image.fromarray(grid)
    image.resize((grid.shape[1] * scale, grid.shape[0] * scale), Image.NEAREST).save(path)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=os.path.join(HERE, "data", "pixel-art-10000.u8"))
    parser.add_argument("--out", default=os.path.join(HERE, "model"))
    parser.add_argument("--epochs", type=int, default=25)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--seed", type=int, default=1234)
    # One thread: on a shared 2-core machine, OpenMP threads that wait on each
    # other under contention made a batch 10x slower than a single thread.
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--max-batches", type=int, default=0, help="for timing trials")
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)

    data = load_dataset(args.data)
    generator = Generator()
    # A narrower critic: cheaper on 2 cores and less prone to overpowering G.
    discriminator = Discriminator(width=32)
    generator.apply(init_weights)
    discriminator.apply(init_weights)
    loss_fn = nn.BCEWithLogitsLoss()
    opt_g = torch.optim.Adam(generator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(discriminator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    shuffle = torch.Generator().manual_seed(args.seed)

    history = []
    started = time.time()
    for epoch in range(args.epochs):
        order = torch.randperm(len(data), generator=shuffle)
        loss_d_sum = loss_g_sum = 0.0
        batches = 0
        for start in range(0, len(data) - args.batch + 1, args.batch):
            real = data[order[start : start + args.batch]]
            n = real.shape[0]
            z = torch.randn(n, LATENT)
            fake = generator(z)

            opt_d.zero_grad()
            # One-sided label smoothing keeps the discriminator from winning
            # too early on such a small, regular data set.
            loss_d = loss_fn(discriminator(real), torch.full((n,), 0.9)) + loss_fn(
                discriminator(fake.detach()), torch.zeros(n)
            )
            loss_d.backward()
            opt_d.step()

            opt_g.zero_grad()
            loss_g = loss_fn(discriminator(fake), torch.ones(n))
            loss_g.backward()
            opt_g.step()

            if batches % 40 == 0:
                print(f"  batch {batches} {time.time() - started:.0f} s", flush=True)
            loss_d_sum += loss_d.item()
            loss_g_sum += loss_g.item()
            batches += 1
            if args.max_batches and batches >= args.max_batches:
                break
        elapsed = time.time() - started
        record = {
            "epoch": epoch + 1,
            "loss_d": round(loss_d_sum / batches, 4),
            "loss_g": round(loss_g_sum / batches, 4),
            "elapsed_s": round(elapsed, 1),
        }
        history.append(record)
        print(json.dumps(record), flush=True)
        if args.max_batches:
            print(f"{batches} batches in {elapsed:.1f} s", flush=True)
            return

    train_seconds = time.time() - started
    generator.eval()
    exported = Exported(generator).eval()

    onnx_path = os.path.join(args.out, "generator.onnx")
    # The same function as `exported`, in the form the browser runs fast
    # (optimize.py); imported here because optimize.py imports this module.
    from optimize import export_onnx

    export_onnx(generator, onnx_path)

    with torch.no_grad():
        sample_z = torch.from_numpy(np.stack([latent_for_seed(s) for s in range(64)]))
        samples = exported(sample_z).numpy()
        save_grid(samples, os.path.join(args.out, "samples.png"))

        reference_seeds = [42, 43, 44, 45]
        reference_z = torch.from_numpy(np.stack([latent_for_seed(s) for s in reference_seeds]))
        reference = exported(reference_z).numpy()

    with open(os.path.join(args.out, "reference.json"), "w") as handle:
        json.dump(
            {
                "seeds": reference_seeds,
                "shape": list(reference.shape),
                "latent_first_values": [round(float(v), 7) for v in reference_z[0, :4]],
                # Rounded to 6 decimals: far below one 8-bit pixel step.
                "images": [round(float(v), 6) for v in reference.reshape(-1)],
            },
            handle,
        )

    parameters = sum(p.numel() for p in generator.parameters())
    with open(os.path.join(args.out, "training.json"), "w") as handle:
        json.dump(
            {
                "torch": torch.__version__,
                "threads": args.threads,
                "seed": args.seed,
                "epochs": args.epochs,
                "batch": args.batch,
                "images": len(data),
                "train_seconds": round(train_seconds, 1),
                "generator_parameters": parameters,
                "onnx_bytes": os.path.getsize(onnx_path),
                "history": history,
            },
            handle,
            indent=2,
        )
    print(f"trained in {train_seconds:.0f} s; {parameters} parameters; wrote {onnx_path}")


if __name__ == "__main__":
    main()
