#!/usr/bin/python3
"""Test oracle: mtool's ExecuTorch and TFLite readers against flatc.

    check_flatbuffers.py MTOOL CORPUS_DIR FIXTURE_DIR WORK_DIR

flatc (Debian's flatbuffers-compiler) decodes every corpus .pte, .ptd and
.tflite with minimal schemas written below: mtool's own text, covering only
the fields mtool reads, in the slots the public schemas give them (ExecuTorch's
schema/program.fbs, extension/flat_tensor/flat_tensor.fbs,
schema/bundled_program_schema.fbs; TensorFlow's lite/schema/schema.fbs), with
skipped fields as deprecated placeholders. No schema is copied. flatc also
*builds* adversarial files from JSON (delegates, Flex and custom ops, codes past
127, a BundledProgram, a wrong identifier), and the lite fixtures' operator
lists are checked against PyTorch's own. Prints one line per failed check and
exits 1 if any failed, 77 (skipped) without flatc or the corpus.
"""
import json
import os
import shutil
import subprocess
import sys

EXECUTORCH_SCHEMA = """
namespace et;
file_identifier "ET12";
table Null {}
table AllocationDetails { memory_id: uint; }
table ExtraTensorInfo { skipped0: ulong (deprecated); fully_qualified_name: string; location: byte; }
table Tensor { scalar_type: byte; skipped1: int (deprecated); sizes: [int]; dim_order: [ubyte];
  skipped4: bool (deprecated); data_buffer_idx: uint; allocation_info: AllocationDetails;
  skipped7: byte (deprecated); shape_dynamism: byte; extra_tensor_info: ExtraTensorInfo; }
table Int { v: long; }
table Bool { v: bool; }
table Double { v: double; }
table String { v: string; }
table IntList { items: [long]; }
table DoubleList { items: [double]; }
table BoolList { items: [bool]; }
table TensorList { items: [int]; }
table OptionalTensorList { items: [int]; }
union KernelTypes { Null, Int, Bool, Double, Tensor, String, IntList, DoubleList, BoolList, TensorList,
  OptionalTensorList }
table EValue { val: KernelTypes; }
table Operator { name: string; overload: string; }
table KernelCall { op_index: int; args: [int]; }
table DelegateCall { delegate_index: int; args: [int]; }
table MoveCall { a: int; }
table JumpFalseCall { a: int; }
table FreeCall { a: int; }
union InstructionArguments { KernelCall, DelegateCall, MoveCall, JumpFalseCall, FreeCall }
table Instruction { instr_args: InstructionArguments; }
table Chain { skipped0: [int] (deprecated); skipped1: [int] (deprecated); instructions: [Instruction]; }
table DataRef { location: byte; index: uint; }
table CompileSpec { key: string; value: [ubyte]; }
table BackendDelegate { id: string; processed: DataRef; compile_specs: [CompileSpec]; }
table ExecutionPlan { name: string; skipped1: int (deprecated); values: [EValue]; inputs: [int]; outputs: [int];
  chains: [Chain]; operators: [Operator]; delegates: [BackendDelegate]; non_const_buffer_sizes: [long]; }
table Buffer { storage: [ubyte]; }
table InlineData { data: [ubyte]; }
table DataSegment { offset: ulong; size: ulong; }
table SubsegmentOffsets { segment_index: uint; offsets: [ulong]; }
table NamedData { key: string; segment_index: uint; }
table Program { version: uint; execution_plan: [ExecutionPlan]; constant_buffer: [Buffer];
  backend_delegate_data: [InlineData]; segments: [DataSegment]; constant_segment: SubsegmentOffsets;
  mutable_data_segments: [SubsegmentOffsets]; named_data: [NamedData]; }
root_type Program;
"""

# The first FT01 layout (the corpus's .ptd): version, tensor_alignment, tensors, segments.
FLAT_TENSOR_SCHEMA = """
namespace ft;
table TensorMetadata { fully_qualified_name: string; scalar_type: byte; dim_sizes: [int]; dim_order: [ubyte];
  segment_index: uint; offset: ulong; }
table DataSegment { offset: ulong; size: ulong; }
table FlatTensor { version: uint; tensor_alignment: uint; tensors: [TensorMetadata]; segments: [DataSegment]; }
root_type FlatTensor;
"""

BUNDLED_SCHEMA = """
namespace bp;
file_identifier "BP06";
table BundledValue { skipped0: ubyte (deprecated); skipped1: int (deprecated); }
table BundledIOSet { inputs: [BundledValue]; expected_outputs: [BundledValue]; }
table BundledExecutionPlanTest { method_name: string; test_sets: [BundledIOSet]; }
table BundledProgram { version: uint; execution_plan_tests: [BundledExecutionPlanTest]; program: [ubyte]; }
root_type BundledProgram;
"""

TFLITE_SCHEMA = """
namespace tfl;
file_identifier "TFL3";
table QuantizationParameters { min: [float]; max: [float]; scale: [float]; zero_point: [long];
  skipped4: ubyte (deprecated); skipped5: int (deprecated); quantized_dimension: int; }
table Tensor { shape: [int]; type: byte; buffer: uint; name: string; quantization: QuantizationParameters;
  skipped5: bool (deprecated); skipped6: int (deprecated); shape_signature: [int]; }
table Operator { opcode_index: uint; inputs: [int]; outputs: [int]; }
table SubGraph { tensors: [Tensor]; inputs: [int]; outputs: [int]; operators: [Operator]; name: string; }
table OperatorCode { deprecated_builtin_code: byte; custom_code: string; version: int = 1; builtin_code: int; }
table Buffer { data: [ubyte]; offset: ulong; size: ulong; }
table Metadata { name: string; buffer: uint; }
table SignatureDef { skipped0: int (deprecated); skipped1: int (deprecated); signature_key: string; }
table Model { version: uint; operator_codes: [OperatorCode]; subgraphs: [SubGraph]; description: string;
  buffers: [Buffer]; metadata_buffer: [int]; metadata: [Metadata]; signature_defs: [SignatureDef]; }
root_type Model;
"""

DTYPES = {0: "uint8", 1: "int8", 2: "int16", 3: "int32", 4: "int64", 5: "float16", 6: "float32", 7: "float64",
          11: "bool", 12: "qint8", 13: "quint8", 14: "qint32", 15: "bfloat16"}
TFLITE_TYPES = ["float32", "float16", "int32", "uint8", "int64", "string", "bool", "int16", "complex64", "int8",
                "float64", "complex128", "uint64", "resource", "variant", "uint32", "uint16", "int4"]
# A few names of BuiltinOperator values, enough for the checks below.
BUILTIN_NAMES = {0: "ADD", 3: "CONV_2D", 9: "FULLY_CONNECTED", 32: "CUSTOM", 150: "GELU"}

failures = []
passed = []


def check(condition, what):
    passed.append(what)
    if not condition:
        failures.append(what)
        print("FAIL:", what)


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def flatc_json(schema, binary, work):
    out = os.path.join(work, "json")
    os.makedirs(out, exist_ok=True)
    subprocess.run(["flatc", "--json", "--strict-json", "--raw-binary", "--defaults-json", "-o", out, schema, "--",
                    binary], check=True, capture_output=True)
    name = os.path.splitext(os.path.basename(binary))[0] + ".json"
    with open(os.path.join(out, name)) as f:
        return json.load(f)


def flatc_binary(schema, document, path, work):
    source = os.path.join(work, os.path.splitext(os.path.basename(path))[0] + ".json")
    write(source, json.dumps(document))
    subprocess.run(["flatc", "-b", "-o", os.path.dirname(path), schema, source], check=True, capture_output=True)
    built = os.path.join(os.path.dirname(path), os.path.splitext(os.path.basename(source))[0] + ".bin")
    os.replace(built, path)


def inspect(mtool, path, *flags):
    result = subprocess.run([mtool, "inspect", "--json", *flags, path], capture_output=True, text=True)
    return json.loads(result.stdout.splitlines()[0])


def expected_value(values, index):
    value = values[index]
    if value["val_type"] != "Tensor":
        return {"kind": {"Int": "int", "Bool": "bool", "Double": "double", "String": "string", "IntList": "int_list",
                         "Null": "none"}.get(value["val_type"], value["val_type"])}
    tensor = value["val"]
    return {"kind": "tensor", "dtype": DTYPES.get(tensor.get("scalar_type", 0)), "shape": tensor.get("sizes", [])}


def check_program(mtool, path, schema, work):
    fb = flatc_json(schema, path, work)
    report = inspect(mtool, path)
    et = report.get("executorch")
    name = os.path.basename(path)
    check(et is not None and et["kind"] in ("program", "bundled-program"), f"{name}: read as an ExecuTorch program")
    if et is None:
        return report
    plans = fb.get("execution_plan", [])
    check([m["name"] for m in et["methods"]] == [p["name"] for p in plans], f"{name}: method names")
    for plan, method in zip(plans, et["methods"]):
        values = plan.get("values", [])
        for side in ("inputs", "outputs"):
            want = [expected_value(values, i) for i in plan.get(side, [])]
            got = [{k: v for k, v in item.items() if k in ("kind", "dtype", "shape")} for item in method[side]]
            check(got == want, f"{name}: {plan['name']} {side}: {got} != {want}")
        ops = [(o.get("name"), o.get("overload", "")) for o in plan.get("operators", [])]
        check([(o["name"], o["overload"]) for o in method["operators"]] == ops, f"{name}: {plan['name']} operators")
        calls = [0] * len(ops)
        delegate_calls = [0] * len(plan.get("delegates", []))
        for chain in plan.get("chains", []):
            for instruction in chain.get("instructions", []):
                kind, args = instruction.get("instr_args_type"), instruction.get("instr_args", {})
                if kind == "KernelCall":
                    calls[args.get("op_index", 0)] += 1
                if kind == "DelegateCall":
                    delegate_calls[args.get("delegate_index", 0)] += 1
        check([o["calls"] for o in method["operators"]] == calls, f"{name}: {plan['name']} calls per operator")
        inline = fb.get("backend_delegate_data", [])
        segments = fb.get("segments", [])
        want = []
        for delegate, count in zip(plan.get("delegates", []), delegate_calls):
            ref = delegate.get("processed", {})
            in_segment = ref.get("location", 0) == 1
            size = (segments[ref.get("index", 0)].get("size", 0) if in_segment
                    else len(inline[ref.get("index", 0)].get("data", [])))
            want.append((delegate["id"], "segment" if in_segment else "inline", size, count))
        got = [(d["backend"], d["location"], d["payload_bytes"], d["calls"]) for d in method["delegates"]]
        check(got == want, f"{name}: {plan['name']} delegates {got} != {want}")
        check(method["planned_buffers"] == plan.get("non_const_buffer_sizes", []), f"{name}: planned buffers")
    check([s["size"] for s in et["segments"]] == [s.get("size", 0) for s in fb.get("segments", [])],
          f"{name}: segment sizes")
    external = sorted({v["val"]["extra_tensor_info"]["fully_qualified_name"]
                       for p in plans for v in p.get("values", [])
                       if v["val_type"] == "Tensor" and v["val"].get("extra_tensor_info", {}).get("location") == 1})
    check(sorted(t["key"] for t in et["external_tensors"]) == external, f"{name}: external tensors")
    return report


def check_tflite(mtool, path, schema, work):
    fb = flatc_json(schema, path, work)
    report = inspect(mtool, path)
    tfl = report.get("tflite")
    name = os.path.basename(path)
    check(tfl is not None, f"{name}: read as TFLite")
    if tfl is None:
        return report
    codes = fb.get("operator_codes", [])
    want_codes = [max(c.get("deprecated_builtin_code", 0), c.get("builtin_code", 0)) for c in codes]
    check([c["builtin_code"] for c in tfl["operator_codes"]] == want_codes, f"{name}: builtin codes")
    check([c["version"] for c in tfl["operator_codes"]] == [c.get("version", 1) for c in codes], f"{name}: versions")
    for code, got in zip(want_codes, tfl["operator_codes"]):
        if code in BUILTIN_NAMES and code != 32:
            check(got["name"] == BUILTIN_NAMES[code], f"{name}: name of builtin {code}")
    uses = [0] * len(codes)
    for subgraph in fb.get("subgraphs", []):
        for op in subgraph.get("operators", []):
            uses[op.get("opcode_index", 0)] += 1
    check([c["uses"] for c in tfl["operator_codes"]] == uses, f"{name}: operator uses")
    for subgraph, got in zip(fb.get("subgraphs", []), tfl["subgraphs"]):
        tensors = subgraph.get("tensors", [])
        for side in ("inputs", "outputs"):
            want = [(tensors[i].get("name", ""), TFLITE_TYPES[tensors[i].get("type", 0)], tensors[i].get("shape", []),
                     tensors[i].get("quantization", {}).get("zero_point", []))
                    for i in subgraph.get(side, [])]
            have = [(t["name"], t["dtype"], t["shape"], (t["quantization"] or {}).get("zero_points", []))
                    for t in got[side]]
            check(have == want, f"{name}: subgraph {side} {have} != {want}")
    # Constant bytes: each buffer a tensor names, counted once however many tensors share it.
    buffers = fb.get("buffers", [])
    named = {t.get("buffer", 0) for g in fb.get("subgraphs", []) for t in g.get("tensors", [])}
    want_bytes = sum(len(buffers[b].get("data", [])) for b in named if 0 < b < len(buffers))
    check(report["tensors"]["bytes"] == want_bytes, f"{name}: constant bytes {report['tensors']['bytes']} != {want_bytes}")
    want_meta = [m.get("name") for m in fb.get("metadata", [])]
    check([m["name"] for m in tfl["metadata"]] == want_meta, f"{name}: metadata names")
    for entry in fb.get("metadata", []):
        if entry.get("name") == "min_runtime_version":
            data = bytes(fb["buffers"][entry["buffer"]].get("data", [])).rstrip(b"\0").decode()
            check(tfl["min_runtime_version"] == data, f"{name}: min_runtime_version {tfl['min_runtime_version']}")
    return report


def codes(report):
    return [d["code"] for d in report["diagnoses"]]


def adversarial_programs(mtool, corpus, work, schemas):
    add = os.path.join(corpus, "executorch", "executorch__add.pte")
    document = flatc_json(schemas["et"], add, work)
    plan = document["execution_plan"][0]
    plan["delegates"] = [{"id": "XnnpackBackend", "processed": {"location": 0, "index": 0},
                          "compile_specs": [{"key": "k", "value": [1]}]}]
    document["backend_delegate_data"] = [{"data": list(range(100))}]
    plan["chains"][0]["instructions"].append({"instr_args_type": "DelegateCall",
                                              "instr_args": {"delegate_index": 0, "args": [0, 2]}})
    delegated = os.path.join(work, "delegated.pte")
    flatc_binary(schemas["et"], document, delegated, work)
    report = check_program(mtool, delegated, schemas["et"], work)
    check("executorch-backend-not-linked" in codes(report), "delegated.pte: executorch-backend-not-linked")

    bundle = {"version": 0, "execution_plan_tests": [{"method_name": "forward", "test_sets": [
        {"inputs": [{}, {}], "expected_outputs": [{}]}, {"inputs": [{}, {}], "expected_outputs": [{}]}]}],
        "program": list(open(add, "rb").read())}
    bundled = os.path.join(work, "bundled.bpte")
    flatc_binary(schemas["bp"], bundle, bundled, work)
    report = inspect(mtool, bundled)
    et = report.get("executorch") or {}
    check(et.get("kind") == "bundled-program" and et.get("bundled_tests", [{}])[0].get("test_cases") == 2,
          "bundled.bpte: a BundledProgram with 2 test cases")

    old = os.path.join(work, "old_identifier.pte")
    data = bytearray(open(add, "rb").read())
    data[4:8] = b"ET09"
    open(old, "wb").write(bytes(data))
    check("executorch-identifier-mismatch" in codes(inspect(mtool, old)), "ET09: executorch-identifier-mismatch")

    keyword = os.path.join(corpus, "executorch", "executorch__arduino_KeywordSpotting_model.pte")
    cut = os.path.join(work, "cut.pte")
    open(cut, "wb").write(open(keyword, "rb").read()[:20000])
    check("executorch-segment-out-of-bounds" in codes(inspect(mtool, cut)), "cut .pte: segment out of bounds")

    alone = os.path.join(work, "alone")
    os.makedirs(alone, exist_ok=True)
    shutil.copy(os.path.join(corpus, "executorch", "executorch__linear.pte"), alone)
    check("executorch-external-data-missing" in codes(inspect(mtool, os.path.join(alone, "executorch__linear.pte"))),
          "linear.pte without its .ptd: executorch-external-data-missing")
    with_data = inspect(mtool, os.path.join(corpus, "executorch", "executorch__linear.pte"))
    check("executorch-external-data-missing" not in codes(with_data), "linear.pte beside linear.ptd: data found")


def adversarial_tflite(mtool, corpus, work, schema):
    source = os.path.join(corpus, "other_formats", "tflite-micro__hello_world_int8.tflite")
    document = flatc_json(schema, source, work)
    document["operator_codes"] += [{"deprecated_builtin_code": 32, "custom_code": "FlexAddV2", "version": 1},
                                   {"deprecated_builtin_code": 32, "custom_code": "MyCustomOp", "version": 2},
                                   {"deprecated_builtin_code": 127, "builtin_code": 150, "version": 1}]
    operators = document["subgraphs"][0]["operators"]
    operators += [dict(operators[0], opcode_index=n) for n in (1, 2, 3)]
    built = os.path.join(work, "flex.tflite")
    flatc_binary(schema, document, built, work)
    report = check_tflite(mtool, built, schema, work)
    check({"tflite-flex-ops", "tflite-custom-ops"} <= set(codes(report)), "flex.tflite: flex and custom ops diagnosed")
    names = [c["name"] for c in (report.get("tflite") or {}).get("operator_codes", [])]
    check(names[-3:] == ["FlexAddV2", "MyCustomOp", "GELU"], f"flex.tflite: op names {names}")

    # Weights tied: a second tensor and a second subgraph name the same buffers.
    document = flatc_json(schema, source, work)
    tensors = document["subgraphs"][0]["tensors"]
    weights = [t for t in tensors if t.get("buffer", 0) > 0 and document["buffers"][t["buffer"]].get("data")]
    tensors.append(dict(weights[0], name="tied_copy"))
    document["subgraphs"].append(dict(document["subgraphs"][0], name="second"))
    tied = os.path.join(work, "tied.tflite")
    flatc_binary(schema, document, tied, work)
    original = inspect(mtool, source)["tensors"]
    report = check_tflite(mtool, tied, schema, work)
    check(report["tensors"]["bytes"] == original["bytes"] and report["tensors"]["count"] == original["count"],
          f"tied.tflite: shared buffers counted once ({report['tensors']} vs {original})")


def check_selected_ops(mtool, fixtures):
    import torch
    import torchvision  # noqa: F401  registers torchvision::nms, which the nms fixture calls
    from torch.jit.mobile import _export_operator_list, _load_for_lite_interpreter
    lite = sorted(f for f in os.listdir(fixtures) if f.endswith(".ptl") and "truncated" not in f)
    for name in lite:
        path = os.path.join(fixtures, name)
        out = subprocess.run([mtool, "inspect", "--selected-ops-yaml", path], capture_output=True, text=True)
        listed = [line[2:] for line in out.stdout.splitlines()]
        check(len(listed) > 0, f"{name}: an operator list")
        runtime = _export_operator_list(_load_for_lite_interpreter(path))
        check(listed == sorted(runtime), f"{name}: op list == _export_operator_list")
        try:
            exported = set(torch.jit.export_opnames(torch.jit.load(path)))
        except RuntimeError:
            continue  # no code/ folder: only the bytecode's list exists
        # export_opnames recompiles the code with this PyTorch; the saved bytecode may need more.
        check(exported <= set(listed), f"{name}: export_opnames {sorted(exported - set(listed))} not listed")


def main():
    mtool, corpus, fixtures, work = sys.argv[1:5]
    if shutil.which("flatc") is None or not os.path.isdir(os.path.join(corpus, "executorch")):
        print("skipped: needs flatc (apt-get install flatbuffers-compiler) and the corpus")
        return 77
    os.makedirs(work, exist_ok=True)
    schemas = {}
    for key, text in (("et", EXECUTORCH_SCHEMA), ("ft", FLAT_TENSOR_SCHEMA), ("bp", BUNDLED_SCHEMA),
                      ("tfl", TFLITE_SCHEMA)):
        schemas[key] = os.path.join(work, key + ".fbs")
        write(schemas[key], text)
    for name in sorted(os.listdir(os.path.join(corpus, "executorch"))):
        path = os.path.join(corpus, "executorch", name)
        if name.endswith(".pte"):
            check_program(mtool, path, schemas["et"], work)
        if name.endswith(".ptd"):
            fb = flatc_json(schemas["ft"], path, work)
            et = inspect(mtool, path).get("executorch") or {}
            check([n["key"] for n in et.get("named_data", [])] == [t["fully_qualified_name"] for t in fb["tensors"]],
                  f"{name}: data file keys")
    for name in sorted(os.listdir(os.path.join(corpus, "other_formats"))):
        if name.endswith(".tflite"):
            check_tflite(mtool, os.path.join(corpus, "other_formats", name), schemas["tfl"], work)
    adversarial_programs(mtool, corpus, work, schemas)
    adversarial_tflite(mtool, corpus, work, schemas["tfl"])
    check_selected_ops(mtool, fixtures)
    print(f"{len(passed) - len(failures)} of {len(passed)} checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
