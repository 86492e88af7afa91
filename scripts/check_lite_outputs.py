#!/usr/bin/python3
"""Test oracle: PyTorch's own lite interpreter loads mtool's outputs.

    check_lite_outputs.py [--qengine ENGINE] INPUTS ORIGINAL CANDIDATE [CANDIDATE...]

INPUTS is a shape ("1,3,16,16": one tensor) or forward's arguments as mtool's
--json writes them ("arguments": [{"name", "type": "Tensor", "shape"},
{"type": "List[Tensor]", "shapes"}, {"type": "int"|"float"|"bool", "value"}]).
Loads every file with torch.jit.mobile._load_for_lite_interpreter (the
original with torch.jit.load when it is TorchScript), with torchvision
imported (its operators registered) and the quantized engine set, runs each on
the same inputs (torch.manual_seed(0), then torch.rand for each tensor in
argument order, as mtool makes them), and prints one JSON object: for each
candidate, its bytecode version as PyTorch reads it and the largest absolute
difference from the original's output; "output": the original's output as
mtool describes it ("[1, 12, 8, 8] float").
"""
import json
import sys

import torch
import torchvision  # noqa: F401  registers torchvision::nms, roi_align...
from torch.jit.mobile import _get_model_bytecode_version, _load_for_lite_interpreter


def load(path):
    try:
        return _load_for_lite_interpreter(path)
    except RuntimeError:
        return torch.jit.load(path)  # the TorchScript original that convert started from


def make_inputs(spec):
    torch.manual_seed(0)
    if not spec.startswith("["):
        return [torch.rand([int(part) for part in spec.split(",")])]
    inputs = []
    for argument in json.loads(spec):
        kind = argument["type"]
        if kind == "Tensor":
            inputs.append(torch.rand(argument["shape"]))
        elif kind == "List[Tensor]":
            inputs.append([torch.rand(shape) for shape in argument["shapes"]])
        else:
            inputs.append({"int": int, "float": float, "bool": bool}[kind](argument["value"]))
    return inputs


def run(path, spec):
    with torch.no_grad():
        return load(path)(*make_inputs(spec))


def tensors(value):
    if isinstance(value, torch.Tensor):
        return [value.dequantize() if value.is_quantized else value]
    if isinstance(value, (list, tuple)):
        return [t for item in value for t in tensors(item)]
    if isinstance(value, dict):
        return [t for item in value.values() for t in tensors(item)]
    return []


def difference(a, b):
    worst = 0.0
    for x, y in zip(tensors(a), tensors(b), strict=True):
        if x.numel():
            worst = max(worst, float((x.double() - y.double()).abs().max()))
    return worst


def describe(value):
    dtypes = {torch.float32: "float", torch.int64: "long int", torch.float64: "double", torch.int32: "int"}
    if isinstance(value, torch.Tensor):
        return f"[{', '.join(str(d) for d in value.shape)}] {dtypes.get(value.dtype, str(value.dtype))}"
    if isinstance(value, tuple):
        return f"tuple of {len(value)}"
    return f"list of {len(value)}"


def main():
    args = sys.argv[1:]
    if args[:1] == ["--qengine"]:
        torch.backends.quantized.engine = args[1]
        args = args[2:]
    spec, original, candidates = args[0], args[1], args[2:]
    expected = run(original, spec)
    results = {"output": describe(expected)}
    for candidate in candidates:
        results[candidate] = {"bytecode_version": _get_model_bytecode_version(candidate),
                              "max_abs_diff": difference(run(candidate, spec), expected)}
    print(json.dumps(results))


if __name__ == "__main__":
    main()
