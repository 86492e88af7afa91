#!/usr/bin/python3
"""Cross-checks mtool's Core ML reader with protoc --decode_raw, an independent
protobuf reader that knows no schema: for every .mlmodel among the fixtures and
the shared corpus (and each package's root specification), the specification
version, the model type's field number, the input and output names and the
neural network layer count must agree with `mtool inspect --json`.

usage: check_coreml_protoc.py MTOOL FOLDER...    (exit 77 when protoc is missing)
"""
import json
import os
import shutil
import subprocess
import sys

MODEL_KINDS = {200: "pipelineClassifier", 201: "pipelineRegressor", 202: "pipeline", 303: "neuralNetworkRegressor",
               403: "neuralNetworkClassifier", 500: "neuralNetwork", 502: "mlProgram", 604: "scaler",
               2000: "textClassifier"}


def parse(lines):
    """protoc --decode_raw's text as {field: [values]}, messages as nested dicts."""
    message = {}
    while lines:
        line = lines.pop(0).strip()
        if line == "}":
            return message
        if line.endswith("{"):
            message.setdefault(int(line[:-1].strip()), []).append(parse(lines))
        else:
            number, _, value = line.partition(": ")
            message.setdefault(int(number), []).append(value)
    return message


def decode(path):
    with open(path, "rb") as f:
        text = subprocess.run(["protoc", "--decode_raw"], stdin=f, capture_output=True, check=True, text=True,
                              errors="replace").stdout
    return parse(text.splitlines())


def names(features):
    """Feature names; None when protoc took a short name for a nested message
    (without a schema it cannot tell), so that fact is not compared."""
    values = [f[1][0] for f in features if isinstance(f, dict) and 1 in f]
    if any(not isinstance(value, str) for value in values):
        return None
    return [value.strip('"') for value in values]


def spec_files(folder):
    for root, dirs, files in os.walk(folder):
        for name in files:
            if name.endswith(".mlmodel") and ".mlpackage" not in root:
                yield os.path.join(root, name), os.path.join(root, name)
        for name in dirs:
            if name.endswith(".mlpackage"):
                package = os.path.join(root, name)
                manifest = json.load(open(os.path.join(package, "Manifest.json")))
                item = manifest["itemInfoEntries"].get(manifest.get("rootModelIdentifier"), {})
                spec = os.path.join(package, "Data", item.get("path", "-"))
                if os.path.isfile(spec):
                    yield package, spec


def main():
    if shutil.which("protoc") is None:
        print("SKIPPED: protoc (Debian's protobuf-compiler) is not installed")
        return 77
    mtool, folders = sys.argv[1], sys.argv[2:]
    checked, failures = 0, []
    for folder in folders:
        for target, spec in spec_files(folder):
            raw = decode(spec)
            report = json.loads(subprocess.run([mtool, "inspect", "--json", target], capture_output=True,
                                               text=True).stdout)
            model = report["coreml"]["model"]
            description = raw.get(2, [{}])[0]
            kind_fields = [n for n in raw if n >= 200]
            facts = {
                "specification_version": (int(raw[1][0]), model["specification_version"]),
                "kind": (MODEL_KINDS.get(kind_fields[0], kind_fields[0]) if kind_fields else "", model["kind"]),
                "inputs": (names(description.get(1, [])), [i["name"] for i in model["inputs"]]),
                "outputs": (names(description.get(10, [])), [o["name"] for o in model["outputs"]]),
            }
            network = raw.get(500, raw.get(403, raw.get(303, [None])))[0]
            if isinstance(network, dict):
                facts["layer_count"] = (len(network.get(1, [])), model["layer_count"])
            for fact, (protoc_says, mtool_says) in facts.items():
                if protoc_says is not None and protoc_says != mtool_says:
                    failures.append(f"{target}: {fact}: protoc {protoc_says!r}, mtool {mtool_says!r}")
            checked += 1
    for failure in failures:
        print("MISMATCH", failure)
    print(f"{checked} Core ML specifications checked against protoc --decode_raw, {len(failures)} mismatches")
    return 1 if failures or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
