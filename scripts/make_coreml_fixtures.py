#!/usr/bin/python3
"""Core ML fixtures for mtool's tests, written with a protobuf writer of our own.

Field numbers are the public ones of coremltools' mlmodel/format/*.proto
(Model, FeatureTypes, NeuralNetwork, MIL) and MILBlob's storage format; no
.proto file is used. Each fixture is one of issue 20's cases; expected.json
says what each must show. scripts/check_coreml_fixtures.py confirms them with
protoc --decode_raw, an independent reader.

usage: make_coreml_fixtures.py OUT_DIR BIG_DIR (BIG_DIR: 1 GiB sparse files, kept out of the corruption sweep)
"""
import json
import os
import struct
import sys


# ---- protobuf wire format ----
def varint(value):
    value &= (1 << 64) - 1
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def key(number, wire_type):
    return varint(number << 3 | wire_type)


def v(number, value):
    return key(number, 0) + varint(value)


def b(number, payload):
    if isinstance(payload, str):
        payload = payload.encode()
    return key(number, 2) + varint(len(payload)) + payload


def m(number, *parts):
    return b(number, b"".join(parts))


def f32(number, value):
    return key(number, 5) + struct.pack("<f", value)


def packed_floats(number, values):
    return b(number, struct.pack("<%df" % len(values), *values))


def packed_varints(number, values):
    return b(number, b"".join(varint(x) for x in values))


def entry(number, k, value_part):
    return m(number, b(1, k), value_part)


# ---- Core ML messages ----
FLOAT32, FLOAT16, INT32 = 0x10000 | 32, 0x10000 | 16, 0x20000 | 32
RGB, GRAYSCALE = 20, 10


def array_type(shape, dtype=FLOAT32, ranges=None):
    parts = [packed_varints(1, shape), v(2, dtype)]
    if ranges:
        parts.append(m(31, *[m(1, v(1, lo), v(2, hi & ((1 << 64) - 1))) for lo, hi in ranges]))
    return m(5, *parts)


def image_type(width, height, color=RGB):
    return m(4, v(1, width), v(2, height), v(3, color))


def feature(name, type_part, description=""):
    parts = [b(1, name)]
    if description:
        parts.append(b(2, description))
    parts.append(m(3, type_part))
    return b"".join(parts)


def description(inputs, outputs, metadata=None, states=()):
    parts = [m(1, x) for x in inputs] + [m(10, x) for x in outputs] + [m(13, x) for x in states]
    if metadata:
        meta = []
        for field, name in ((1, "short_description"), (2, "version"), (3, "author"), (4, "license")):
            if name in metadata:
                meta.append(b(field, metadata[name]))
        for k, value in metadata.get("user_defined", {}).items():
            meta.append(m(100, b(1, k), b(2, value)))
        parts.append(m(100, *meta))
    return m(2, *parts)


def weights_fp32(count):
    return packed_floats(1, [0.5] * count)


def layer(name, inputs, outputs, kind_field, params, output_rank=None):
    parts = [b(1, name)] + [b(2, x) for x in inputs] + [b(3, x) for x in outputs]
    if output_rank:
        parts.append(m(5, v(1, output_rank), packed_varints(2, [1] * output_rank)))
    parts.append(m(kind_field, *params))
    return m(1, *parts)


CONVOLUTION, ACTIVATION, INNER_PRODUCT, FLATTEN, RESHAPE_STATIC = 100, 130, 140, 301, 1140

TORCH_METADATA = {
    "com.github.apple.coremltools.source": "torch==2.1.0.dev20230422",
    "com.github.apple.coremltools.version": "6.3.0",
}


def resnet_network(first_input, scaler=None):
    conv = layer("conv1", [first_input], ["conv1_out"], CONVOLUTION,
                 [v(1, 64), v(2, 3), packed_varints(20, [7, 7]), m(90, weights_fp32(64 * 3 * 7 * 7))])
    relu = layer("relu1", ["conv1_out"], ["relu1_out"], ACTIVATION, [m(10)])
    flat = layer("flatten", ["relu1_out"], ["flat"], FLATTEN, [])
    fc = layer("fc", ["flat"], ["var_830"], INNER_PRODUCT,
               [v(1, 64), v(2, 1000), m(20, weights_fp32(64 * 1000)), m(21, weights_fp32(1000))])
    parts = [conv, relu, flat, fc]
    if scaler:
        parts.append(m(2, b(1, first_input), m(10, f32(10, scaler), f32(20, -0.406 / 0.225 * 0),
                                                f32(21, -1.0), f32(22, -2.0))))
    return m(500, *parts)


def model(spec_version, desc, body):
    return v(1, spec_version) + desc + body


def resnet_multiarray():
    desc = description([feature("x", array_type([1, 3, 224, 224]))], [feature("var_830", array_type([]))],
                       {"user_defined": TORCH_METADATA})
    return model(4, desc, resnet_network("x"))


def resnet_image():
    metadata = {"author": "mtool fixtures", "license": "BSD-3-Clause", "version": "2",
                "user_defined": {"com.github.apple.coremltools.source": "torch==2.0.1",
                                 "com.github.apple.coremltools.version": "6.3.0"}}
    desc = description([feature("x", image_type(224, 224, RGB))], [feature("var_830", array_type([1000]))], metadata)
    return model(4, desc, resnet_network("x", scaler=1 / 255.0))


def nn_rank6():
    desc = description([feature("x", array_type([2, 3, 4, 5]))], [feature("y", array_type([1, 2, 3, 4, 5, 1]))])
    reshape = layer("reshape_to_rank6", ["x"], ["y"], RESHAPE_STATIC, [packed_varints(1, [1, 2, 3, 4, 5, 1])],
                    output_rank=6)
    return model(4, desc, m(500, reshape, v(5, 1)))


def nn_rank6_target_only():
    # As coremltools writes it: the target shape packed, no rank in the layer's tensor info.
    desc = description([feature("x", array_type([2, 3, 4, 5]))], [feature("y", array_type([720]))])
    reshape = layer("reshape_to_rank6", ["x"], ["y"], RESHAPE_STATIC, [packed_varints(1, [1, 2, 3, 4, 5, 6])])
    return model(4, desc, m(500, reshape, v(5, 1)))


def flexible_unbounded():
    desc = description([feature("tokens", array_type([1, 16], INT32, ranges=[(1, 1), (1, -1)]))],
                       [feature("logits", array_type([1, 16]))])
    flat = layer("flatten", ["tokens"], ["logits"], FLATTEN, [])
    return model(4, desc, m(500, flat, v(5, 1)))


def pipeline():
    scaler = model(1, description([feature("in", array_type([4]))], [feature("scaled", array_type([4]))]),
                   m(604, packed_floats(1, [0.0] * 4), packed_floats(2, [1.0] * 4)))
    classifier_body = m(403, layer("fc", ["scaled"], ["probs"], INNER_PRODUCT,
                                   [v(1, 4), v(2, 3), m(20, weights_fp32(12))]),
                        m(100, b(1, "cat"), b(1, "dog"), b(1, "bird")))
    classifier = model(1, description([feature("scaled", array_type([4]))],
                                      [feature("label", m(3)), feature("probs", m(6, m(2)))]), classifier_body)
    desc = description([feature("in", array_type([4]))], [feature("label", m(3)), feature("probs", m(6, m(2)))])
    return model(1, desc, m(200, m(1, m(1, scaler), m(1, classifier), b(2, "scaler"), b(2, "classifier"))))


# ---- ML programs (MIL.proto) and weight.bin (MILBlob storage v2) ----
MIL_FP32, MIL_FP16, MIL_INT32, MIL_UINT4, MIL_UINT8 = 11, 10, 23, 35, 31
BLOB_FP16, BLOB_FP32, BLOB_UINT8, BLOB_UINT4 = 1, 2, 3, 11


class WeightFile:
    def __init__(self):
        self.records = []  # (dtype, size)

    def add(self, dtype, size):
        offset = 64
        for _, previous in self.records:
            offset += 64 + (previous + 63) // 64 * 64
        self.records.append((dtype, size))
        return offset

    def write(self, path, truncate_to=None):
        with open(path, "wb") as out:
            out.write(struct.pack("<II", len(self.records), 2) + b"\0" * 56)
            offset = 64
            for dtype, size in self.records:
                data = offset + 64
                out.write(struct.pack("<IIQQ", 0xDEADBEEF, dtype, size, data) + b"\0" * 40)
                out.write(b"\x01" * size + b"\0" * ((size + 63) // 64 * 64 - size))
                offset = data + (size + 63) // 64 * 64
            if truncate_to is not None:
                out.truncate(truncate_to)


def tensor_type(dtype, shape):
    return m(1, v(1, dtype), v(2, len(shape)), *[m(3, m(1, v(1, d))) for d in shape])


def blob_value(dtype, shape, offset):
    return m(2, tensor_type(dtype, shape)) + m(5, b(1, "@model_path/weights/weight.bin"), v(2, offset))


def operation(op_type, inputs=(), attributes=(), output="out"):
    parts = [b(1, op_type)]
    for name, bound in inputs:
        parts.append(m(2, b(1, name), m(2, m(1, b(1, bound)))))
    for name, value in attributes:
        parts.append(m(5, b(1, name), m(2, value)))
    parts.append(m(3, b(1, output)))
    return m(3, *parts)


def program(operations, opset="CoreML5", inputs=()):
    function = m(2, *[m(1, b(1, name), m(2, tensor_type(MIL_FP32, shape))) for name, shape in inputs],
                 b(2, opset), m(3, b(1, opset), m(2, *operations)))
    return m(502, v(1, 1), m(2, b(1, "main"), function))


def package(folder, spec, weight_file=None, root_path="com.apple.CoreML/model.mlmodel", truncate=None):
    data = os.path.join(folder, "Data", "com.apple.CoreML")
    os.makedirs(os.path.join(data, "weights"), exist_ok=True)
    with open(os.path.join(data, "model.mlmodel"), "wb") as out:
        out.write(spec)
    if weight_file is not None:
        weight_file.write(os.path.join(data, "weights", "weight.bin"), truncate)
    manifest = {"fileFormatVersion": "1.0.0", "rootModelIdentifier": "ROOT",
                "itemInfoEntries": {
                    "ROOT": {"author": "com.apple.CoreML", "description": "CoreML Model Specification",
                             "name": "model.mlmodel", "path": root_path},
                    "WEIGHTS": {"author": "com.apple.CoreML", "description": "CoreML Model Weights",
                                "name": "weights", "path": "com.apple.CoreML/weights"}}}
    with open(os.path.join(folder, "Manifest.json"), "w") as out:
        json.dump(manifest, out, indent=2)


MUSIQ_INPUTS = [("patches", [1, 193, 3072]), ("spatial_positions", [1, 193]), ("scale_ids", [1, 193]),
                ("masks", [1, 193])]
MUSIQ_WEIGHT_SHAPES = [[3072, 384], [384, 1152], [1152, 384], [384, 1536], [1536, 384]] * 2


def musiq_program(weights):
    ops = []
    for i, shape in enumerate(MUSIQ_WEIGHT_SHAPES):
        offset = weights.add(BLOB_FP32, 4 * shape[0] * shape[1])
        ops.append(operation("const", attributes=[("val", blob_value(MIL_FP32, shape, offset))], output=f"w{i}"))
        ops.append(operation("linear", inputs=[("x", "patches"), ("weight", f"w{i}")], output=f"h{i}"))
    ops.append(operation("reduce_mean", inputs=[("x", "h9")], output="score"))
    return program(ops, "CoreML5", MUSIQ_INPUTS)


def musiq_spec(weights):
    inputs = [feature(name, array_type(shape)) for name, shape in MUSIQ_INPUTS]
    desc = description(inputs, [feature("score", array_type([1, 1]))],
                       {"user_defined": {"com.github.apple.coremltools.source": "torch==1.13.1",
                                         "com.github.apple.coremltools.version": "6.3.0"}})
    return model(6, desc, musiq_program(weights))


def palettized_spec(weights):
    indices = weights.add(BLOB_UINT4, 512 * 512 // 2)
    lut = weights.add(BLOB_FP16, 16 * 2)
    op = operation("constexpr_lut_to_dense", output="w",
                   attributes=[("indices", blob_value(MIL_UINT4, [512, 512], indices)),
                               ("lut", blob_value(MIL_FP16, [16], lut))])
    desc = description([feature("x", array_type([1, 512], FLOAT16))], [feature("y", array_type([1, 512], FLOAT16))])
    return model(7, desc, program([op, operation("matmul", inputs=[("x", "x"), ("y", "w")], output="y")],
                                  "CoreML6", [("x", [1, 512])]))


def stateful_spec():
    state = feature("cache", m(8, array_type([1, 64], FLOAT16)))
    desc = description([feature("x", array_type([1, 64], FLOAT16))], [feature("y", array_type([1, 64], FLOAT16))],
                       states=[state])
    return model(9, desc, program([operation("read_state", inputs=[("input", "cache")], output="y")], "CoreML8"))


def sparse_weight_package(folder, size):
    """A package whose weight.bin holds one fp16 blob of `size` bytes, written
    as a hole: inspect must walk it by its headers in milliseconds."""
    weights = WeightFile()
    offset = weights.add(BLOB_FP16, size)
    op = operation("const", attributes=[("val", blob_value(MIL_FP16, [size // 2], offset))], output="w")
    desc = description([feature("x", array_type([1, 8], FLOAT16))], [feature("w", array_type([size // 2], FLOAT16))])
    package(folder, model(7, desc, program([op], "CoreML6")))
    with open(os.path.join(folder, "Data", "com.apple.CoreML", "weights", "weight.bin"), "wb") as out:
        out.write(struct.pack("<II", 1, 2) + b"\0" * 56)
        out.write(struct.pack("<IIQQ", 0xDEADBEEF, BLOB_FP16, size, 128) + b"\0" * 40)
        out.truncate(128 + size)


def main():
    out, big = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    os.makedirs(big, exist_ok=True)
    files = {
        "resnet50_multiarray.mlmodel": resnet_multiarray(),
        "resnet50_image.mlmodel": resnet_image(),
        "nn_rank6.mlmodel": nn_rank6(),
        "nn_rank6_target_only.mlmodel": nn_rank6_target_only(),
        "flexible_unbounded.mlmodel": flexible_unbounded(),
        "pipeline.mlmodel": pipeline(),
        "stateful_ios18.mlmodel": stateful_spec(),
    }
    for name, data in files.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    weights = WeightFile()
    spec = musiq_spec(weights)
    package(os.path.join(out, "musiq_like.mlpackage"), spec, weights)
    package(os.path.join(out, "missing_weights.mlpackage"), spec, None)
    package(os.path.join(out, "short_weights.mlpackage"), spec, weights, truncate=5 << 20)
    package(os.path.join(out, "manifest_nowhere.mlpackage"), spec, weights, root_path="com.apple.CoreML/gone.mlmodel")
    palettized = WeightFile()
    package(os.path.join(out, "palettized.mlpackage"), palettized_spec(palettized), palettized)
    sparse_weight_package(os.path.join(big, "big_weights.mlpackage"), 1 << 30)
    musiq_bytes = sum(4 * a * c for a, c in MUSIQ_WEIGHT_SHAPES)
    expected = {
        "resnet50_multiarray.mlmodel": {"codes": ["coreml-vision-needs-image-input", "coreml-untested-torch-version",
                                                   "coreml-could-be-mlprogram"], "inputs": ["x"],
                                         "fp32_bytes": 4 * (64 * 3 * 49 + 64000 + 1000)},
        "resnet50_image.mlmodel": {"codes": ["coreml-could-be-mlprogram"], "absent": [
            "coreml-vision-needs-image-input", "coreml-untested-torch-version"], "inputs": ["x"]},
        "nn_rank6.mlmodel": {"codes": ["coreml-nn-rank-above-5"], "max_layer_rank": 6},
        "nn_rank6_target_only.mlmodel": {"codes": ["coreml-nn-rank-above-5"], "max_layer_rank": 6},
        "flexible_unbounded.mlmodel": {"codes": ["coreml-flexible-shape-unbounded"]},
        "pipeline.mlmodel": {"sub_models": 2, "labels": 3},
        "stateful_ios18.mlmodel": {"minimum_ios": "18"},
        "musiq_like.mlpackage": {"codes": ["coreml-weights-compressible"], "absent": [
            "coreml-vision-needs-image-input", "coreml-weights-missing"], "inputs": [n for n, _ in MUSIQ_INPUTS],
                                 "fp32_bytes": musiq_bytes},
        "missing_weights.mlpackage": {"codes": ["coreml-weights-missing"]},
        "short_weights.mlpackage": {"codes": ["coreml-weights-missing"]},
        "manifest_nowhere.mlpackage": {"codes": ["coreml-manifest-root-missing"]},
        "palettized.mlpackage": {"weights": {"uint4 palettized": 512 * 512 // 2, "fp16 palettized": 32}},
    }
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)


if __name__ == "__main__":
    main()
