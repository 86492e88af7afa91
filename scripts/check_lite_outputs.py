#!/usr/bin/python3
"""Test oracle: PyTorch's own lite interpreter loads mtool's outputs.

    check_lite_outputs.py SHAPE ORIGINAL CANDIDATE [CANDIDATE...]

Loads every file with torch.jit.mobile._load_for_lite_interpreter (the
original with torch.jit.load when it is TorchScript), runs each on
the same input (torch.manual_seed(0); torch.rand(SHAPE)), and prints one JSON
object: for each candidate, its bytecode version as PyTorch reads it and the
largest absolute difference from the original's output.
"""
import json
import sys

import torch
from torch.jit.mobile import _get_model_bytecode_version, _load_for_lite_interpreter


def load(path):
    try:
        return _load_for_lite_interpreter(path)
    except RuntimeError:
        return torch.jit.load(path)  # the TorchScript original that convert started from


def run(path, shape):
    torch.manual_seed(0)
    with torch.no_grad():
        return load(path)(torch.rand(shape))


def main():
    shape = [int(part) for part in sys.argv[1].split(",")]
    expected = run(sys.argv[2], shape)
    results = {}
    for candidate in sys.argv[3:]:
        output = run(candidate, shape)
        results[candidate] = {"bytecode_version": _get_model_bytecode_version(candidate),
                              "max_abs_diff": float((output - expected).abs().max())}
    print(json.dumps(results))


if __name__ == "__main__":
    main()
