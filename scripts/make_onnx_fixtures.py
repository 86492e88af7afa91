#!/usr/bin/python3
"""ONNX fixtures for mtool's tests, exported by PyTorch's own torch.onnx.export
and re-saved by python3-onnx, with onnx's answers as the expected facts.

usage: make_onnx_fixtures.py OUT_DIR BIG_DIR [CORPUS_DIR] (BIG_DIR: 1 GiB sparse files, kept out of the corruption sweep)
"""
import json
import os
import shutil
import struct
import sys

import onnx
import onnx.checker
import onnx.numpy_helper
import torch

DTYPES = {1: "float32", 2: "uint8", 3: "int8", 5: "int16", 6: "int32", 7: "int64", 9: "bool", 10: "float16",
          11: "float64"}


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 8, 3)
        self.bn = torch.nn.BatchNorm2d(8)
        self.fc = torch.nn.Linear(8, 10)

    def forward(self, x):
        y = torch.relu(self.bn(self.conv(x)))
        y = torch.nn.functional.adaptive_avg_pool2d(y, 1).flatten(1)
        return torch.softmax(self.fc(y), dim=1)


class Loop(torch.nn.Module):
    """Control flow: the export holds a Loop node whose body is a subgraph."""
    def forward(self, x, n: int):
        for _ in range(n):
            x = torch.sigmoid(x) * 2
        return x


def all_nodes(graph):
    """Every node, those of If/Loop/Scan bodies included."""
    for node in graph.node:
        yield node
        for attribute in node.attribute:
            for subgraph in ([attribute.g] if attribute.HasField("g") else []) + list(attribute.graphs):
                yield from all_nodes(subgraph)


def dims(value):
    shape = value.type.tensor_type.shape
    return [d.dim_param if d.HasField("dim_param") else d.dim_value for d in shape.dim]


def facts(model):
    """What mtool must report, as onnx (the independent reader) sees it."""
    initializers = {t.name for t in model.graph.initializer}
    by_dtype = {}
    for tensor in model.graph.initializer:
        totals = by_dtype.setdefault(DTYPES[tensor.data_type], {"count": 0, "bytes": 0})
        totals["count"] += 1
        totals["bytes"] += onnx.numpy_helper.to_array(tensor).nbytes
    operators = {}
    for node in all_nodes(model.graph):
        name = (node.domain or "ai.onnx") + "::" + node.op_type
        operators[name] = operators.get(name, 0) + 1
    return {
        "ir_version": model.ir_version,
        "producer_name": model.producer_name,
        "producer_version": model.producer_version,
        "opset_imports": {(o.domain or "ai.onnx"): o.version for o in model.opset_import},
        "inputs": [{"name": i.name, "elem_type": DTYPES[i.type.tensor_type.elem_type], "shape": dims(i)}
                   for i in model.graph.input if i.name not in initializers],
        "outputs": [{"name": o.name, "elem_type": DTYPES[o.type.tensor_type.elem_type], "shape": dims(o)}
                    for o in model.graph.output],
        "operators": operators,
        "initializers": by_dtype,
    }


def sparse_big_onnx(path, size):
    """A model with one 1 GiB float initializer, its data a hole in a sparse file."""
    def varint(v):
        out = bytearray()
        while True:
            byte, v = v & 0x7F, v >> 7
            out.append(byte | (0x80 if v else 0))
            if not v:
                return bytes(out)
    def field(number, payload):
        return varint(number << 3 | 2) + varint(len(payload)) + payload
    output = field(12, field(1, b"y") + field(2, field(1, varint(1 << 3) + varint(1))))
    node = field(1, field(1, b"w") + field(2, b"y") + field(4, b"Identity"))
    tensor_head = varint(1 << 3) + varint(size // 4) + varint(2 << 3) + varint(1) + field(8, b"w")
    raw_key = varint(9 << 3 | 2) + varint(size)
    tensor_len = len(tensor_head) + len(raw_key) + size
    initializer_key = varint(5 << 3 | 2) + varint(tensor_len)
    graph_len = len(node) + len(initializer_key) + tensor_len + len(output)
    with open(path, "wb") as out:
        out.write(varint(1 << 3) + varint(8) + field(8, varint(2 << 3) + varint(13)))
        out.write(varint(7 << 3 | 2) + varint(graph_len) + node + initializer_key + tensor_head + raw_key)
        out.seek(size, 1)
        out.write(output)


def main():
    out, big = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    os.makedirs(big, exist_ok=True)
    torch.manual_seed(0)
    path = os.path.join(out, "conv_dynamic.onnx")
    torch.onnx.export(Net().eval(), torch.rand(1, 3, 32, 32), path, input_names=["image"], output_names=["probs"],
                      dynamic_axes={"image": {0: "batch", 2: "height"}, "probs": {0: "batch"}}, opset_version=13)
    model = onnx.load(path)
    onnx.checker.check_model(model)
    expected = {"conv_dynamic.onnx": facts(model)}
    loop = os.path.join(out, "loop.onnx")
    torch.onnx.export(torch.jit.script(Loop()), (torch.rand(2, 3), 3), loop, input_names=["x", "n"],
                      output_names=["y"], opset_version=13)
    loop_model = onnx.load(loop)
    onnx.checker.check_model(loop_model)
    expected["loop.onnx"] = facts(loop_model)
    # Initializers in the typed fields (float_data, int64_data, int32_data for float16) instead of raw_data.
    from onnx import TensorProto, helper
    tensors = [helper.make_tensor("w", TensorProto.FLOAT, [4, 3], [0.5] * 12),
               helper.make_tensor("shape", TensorProto.INT64, [2], [3, 4]),
               helper.make_tensor("h", TensorProto.FLOAT16, [3], [1.0, 2.0, 3.0])]
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["m"]), helper.make_node("Reshape", ["m", "shape"], ["y"])],
        "typed", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [3, 4])], tensors)
    typed = helper.make_model(graph, producer_name="onnx.helper", opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(typed)
    onnx.save(typed, os.path.join(out, "typed_fields.onnx"))
    expected["typed_fields.onnx"] = facts(onnx.load(os.path.join(out, "typed_fields.onnx")))
    os.makedirs(os.path.join(out, "external"), exist_ok=True)
    external = os.path.join(out, "external", "model.onnx")
    onnx.save_model(onnx.load(path), external, save_as_external_data=True, all_tensors_to_one_file=True,
                    location="model.onnx.data", size_threshold=0)
    onnx.checker.check_model(external)
    expected["external/model.onnx"] = dict(facts(model), external=[{"location": "model.onnx.data", "present": True}])
    os.makedirs(os.path.join(out, "external_missing"), exist_ok=True)
    shutil.copy(external, os.path.join(out, "external_missing", "model.onnx"))
    expected["external_missing/model.onnx"] = dict(facts(model),
                                                    external=[{"location": "model.onnx.data", "present": False}])
    # External data that names a file outside the model's folder (CVE-2024-27318's path traversal): a
    # real file is there, so a reader that followed the path would find it.
    with open(os.path.join(out, "outside_secret.bin"), "wb") as secret:
        secret.write(b"\0" * 4096)
    os.makedirs(os.path.join(out, "outside_dir"), exist_ok=True)
    traversals = {"dotdot": "../outside_secret.bin", "absolute": os.path.abspath(os.path.join(out, "outside_secret.bin")),
                  "backslash": "..\\outside_secret.bin", "link": "link/outside_secret.bin"}
    for case, location in traversals.items():
        folder = os.path.join(out, "traversal_" + case)
        os.makedirs(folder, exist_ok=True)
        if case == "link" and not os.path.lexists(os.path.join(folder, "link")):
            os.symlink("..", os.path.join(folder, "link"))
        traversal = onnx.load(external, load_external_data=False)
        for tensor in traversal.graph.initializer:
            for entry in tensor.external_data:
                if entry.key == "location":
                    entry.value = location
        with open(os.path.join(folder, "model.onnx"), "wb") as f:
            f.write(traversal.SerializeToString())
        expected["traversal_%s/model.onnx" % case] = dict(
            facts(model), external=[{"location": location, "present": False, "outside_folder": True}])
    # The shared corpus's ONNX files, as onnx reads them (the tests compare mtool with these).
    corpus = sys.argv[3] if len(sys.argv) > 3 else ""
    for name in sorted(os.listdir(os.path.join(corpus, "other_formats"))) if os.path.isdir(corpus) else []:
        if name.endswith(".onnx"):
            expected["corpus:other_formats/" + name] = facts(onnx.load(os.path.join(corpus, "other_formats", name)))
    sparse_big_onnx(os.path.join(big, "big_initializer.onnx"), 1 << 30)
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)


if __name__ == "__main__":
    main()
