"""Kernel-side baselines for `npm run bench:gan`: the shipped ONNX generator
run on the CPU the way a Python kernel on this machine would run it.

  --runtime onnxruntime   onnxruntime's CPU provider on the .onnx file itself,
                          with its default session options (what a user of the
                          model would run; .venv-bench/ from requirements/bench.txt)
  --runtime torch         the same parameters rebuilt into the Generator class
                          that gan/train.py trains (onnx_weights.py) and run by
                          torch on the CPU (.venv-bench-torch/ from
                          requirements/bench-torch.txt: PyPI's CUDA build, kept
                          off any GPU so both baselines are CPU figures)

The latents come on stdin from gan/bench.mjs, made by the browser's own code
(src/gan/latent.ts), so every side runs the same inputs:
{"latents": {"<seed>": [100 floats], ...}} with seeds 0..63 and the
reference seeds. Before anything is timed, the output for the reference
seeds is checked against gan/model/reference.json.

Prints one JSON line: {"ms_per_image": {"1": ..., "16": ..., "64": ...}, ...}.
"""

import argparse
import json
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BATCHES = (1, 16, 64)


def onnxruntime_runner(model_path):
    import onnxruntime

    session = onnxruntime.InferenceSession(model_path, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    options = session.get_session_options()
    info = {
        "runtime": "onnxruntime",
        "version": onnxruntime.__version__,
        # 0: onnxruntime's default, one thread per physical core.
        "threads": options.intra_op_num_threads or os.cpu_count(),
    }
    return (lambda z: session.run(None, {name: z})[0]), info


def torch_runner(model_path):
    # Hidden before torch loads, so its CUDA build never starts a GPU context
    # on a machine that has one; the model and inputs stay CPU tensors.
    os.environ["CUDA_VISIBLE_DEVICES"] = ""
    import torch

    sys.path.insert(0, HERE)
    from onnx_weights import load_generator

    cpu = torch.device("cpu")
    model = load_generator(model_path).to(cpu)

    def run(z):
        with torch.no_grad():
            return model(torch.from_numpy(z).to(cpu)).numpy()

    info = {
        "runtime": "torch",
        "version": torch.__version__,
        "threads": torch.get_num_threads(),
        "device": str(next(model.parameters()).device),
    }
    return run, info


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runtime", choices=["onnxruntime", "torch"], required=True)
    parser.add_argument("--model", default=os.path.join(HERE, "model", "generator.onnx"))
    args = parser.parse_args()

    import numpy as np

    latents = {int(seed): values for seed, values in json.load(sys.stdin)["latents"].items()}

    def batch(seeds):
        return np.array([latents[seed] for seed in seeds], dtype=np.float32)

    started = time.perf_counter()
    make = onnxruntime_runner if args.runtime == "onnxruntime" else torch_runner
    run, info = make(args.model)
    run(batch([0]))
    first_image_ms = (time.perf_counter() - started) * 1000

    with open(os.path.join(HERE, "model", "reference.json")) as handle:
        reference = json.load(handle)
    images = run(batch(reference["seeds"]))
    worst = float(np.abs(images.reshape(-1) - np.array(reference["images"], np.float32)).max())
    if worst > 1e-4:
        raise SystemExit(
            f"{args.runtime}: the model's output differs from the reference by {worst}"
        )

    timings = {}
    for size in BATCHES:
        z = batch(range(size))
        for _ in range(3):
            run(z)
        runs = []
        for _ in range(20 if size < 64 else 10):
            begun = time.perf_counter()
            run(z)
            runs.append((time.perf_counter() - begun) * 1000)
        timings[str(size)] = statistics.median(runs) / size
    print(
        json.dumps(
            {
                **info,
                "ms_per_image": timings,
                "first_image_ms": first_image_ms,
                "reference_max_abs_diff": worst,
                "python": sys.version.split()[0],
            }
        )
    )


if __name__ == "__main__":
    main()
