"""Kernel-side baseline for `npm run bench:gan`: the shipped ONNX generator
run by torch on the CPU, as a Python kernel on this machine would run it.

torch cannot read ONNX, and Debian has no onnx/onnxruntime package, so the
trained parameters are read straight from the ONNX protobuf
(onnx_weights.py) into the same Generator class that gan/train.py trains:
what a data scientist would run in a kernel. A check against
gan/model/reference.json proves the rebuilt model is the shipped one before
anything is timed.

Prints one JSON line: {"ms_per_image": {"1": ..., "16": ..., "64": ...}, ...}.
"""

import json
import os
import statistics
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from onnx_weights import load_generator  # noqa: E402
from train import LATENT, latent_for_seed  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    model_dir = os.path.join(HERE, "model")
    model = load_generator(os.path.join(model_dir, "generator.onnx"))
    with open(os.path.join(model_dir, "reference.json")) as handle:
        reference = json.load(handle)
    with torch.no_grad():
        z = torch.from_numpy(np.stack([latent_for_seed(s) for s in reference["seeds"]]))
        worst = float(
            np.abs(model(z).numpy().reshape(-1) - np.array(reference["images"], np.float32)).max()
        )
    if worst > 1e-4:
        raise SystemExit(f"rebuilt model differs from the reference by {worst}")

    timings = {}
    with torch.no_grad():
        for batch in (1, 16, 64):
            z = torch.from_numpy(np.stack([latent_for_seed(s) for s in range(batch)]))
            for _ in range(3):
                model(z)
            runs = []
            for _ in range(20 if batch < 64 else 10):
                started = time.perf_counter()
                model(z)
                runs.append((time.perf_counter() - started) * 1000)
            timings[str(batch)] = statistics.median(runs) / batch
    print(
        json.dumps(
            {
                "ms_per_image": timings,
                "threads": torch.get_num_threads(),
                "torch": torch.__version__,
                "reference_max_abs_diff": worst,
                "latent": LATENT,
            }
        )
    )


if __name__ == "__main__":
    main()
