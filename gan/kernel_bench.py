"""Kernel-side baseline for `npm run bench:gan`: the shipped ONNX generator
run by torch on the CPU, as a Python kernel on this machine would run it.

torch cannot read ONNX, and Debian has no onnx/onnxruntime package, so the
weights are read straight from the ONNX protobuf (a few fields of
ModelProto/GraphProto/TensorProto) into the same Generator class that
gan/train.py trains. A check against gan/model/reference.json proves the
rebuilt model is the shipped one before anything is timed.

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
from train import LATENT, Exported, Generator, latent_for_seed  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def _varint(buf, pos):
    result = shift = 0
    while True:
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def _fields(buf):
    """(field number, wire type, value) of one protobuf message."""
    pos = 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(buf, pos)
        elif wire == 1:
            value, pos = buf[pos : pos + 8], pos + 8
        elif wire == 2:
            length, pos = _varint(buf, pos)
            value, pos = buf[pos : pos + length], pos + length
        elif wire == 5:
            value, pos = buf[pos : pos + 4], pos + 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        yield field, wire, value


def onnx_initializers(path):
    """name -> float32 array for every initializer of the ONNX graph."""
    with open(path, "rb") as handle:
        model = handle.read()
    graph = next(v for f, w, v in _fields(model) if f == 7)
    tensors = {}
    for field, _, tensor in _fields(graph):
        if field != 5:
            continue
        dims, name, raw, data_type, floats = [], None, None, None, []
        for f, w, v in _fields(tensor):
            if f == 1:
                if w == 2:  # packed
                    p = 0
                    while p < len(v):
                        d, p = _varint(v, p)
                        dims.append(d)
                else:
                    dims.append(v)
            elif f == 2:
                data_type = v
            elif f == 8:
                name = bytes(v).decode()
            elif f == 9:
                raw = bytes(v)
            elif f == 4 and w == 2:
                floats.append(np.frombuffer(bytes(v), dtype="<f4"))
        if data_type != 1:  # only FLOAT weights matter here
            continue
        data = np.frombuffer(raw, dtype="<f4") if raw is not None else np.concatenate(floats)
        tensors[name] = data.reshape(dims).copy()
    return tensors


def load_generator(path):
    generator = Generator()
    state = generator.state_dict()
    tensors = onnx_initializers(path)
    loaded = {}
    for key in state:
        if key.endswith("num_batches_tracked"):
            loaded[key] = state[key]
            continue
        name = f"generator.{key}"
        if name not in tensors:
            raise KeyError(f"{name} not in the ONNX file (has: {sorted(tensors)[:8]}...)")
        loaded[key] = torch.from_numpy(tensors[name])
    generator.load_state_dict(loaded)
    return Exported(generator).eval()


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
