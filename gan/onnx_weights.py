"""The trained generator's parameters, read back from the shipped ONNX file.

torch cannot read ONNX, and Debian has no onnx/onnxruntime package, so the
few protobuf fields that hold initializers (ModelProto.graph,
GraphProto.initializer, TensorProto dims/data_type/name/raw_data/float_data)
are parsed here by hand. The export (optimize.py) keeps every trained
parameter as an initializer under its torch name (`generator.net.3.weight`
...), so the torch Generator can be rebuilt from the file alone: the kernel
benchmark runs it, and optimize.py re-exports it without retraining.
"""

import numpy as np
import torch

from train import Exported, Generator


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
    """The torch Exported(Generator) whose parameters the ONNX file carries."""
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
