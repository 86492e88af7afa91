#!/usr/bin/python3
"""Builds the adversarial corpus for `mtool scan` from raw pickle opcodes.

    make_scan_attacks.py OUTDIR [--verify]

Each case is a published scanner-bypass class (picklescan's and ModelAudit's
advisories, JFrog's and Sonatype's write-ups, CVE-2025-1716/-1889/-1944/-1945,
the nullifAI models, CVE-2025-32434) or a benign counterpart. Payloads only
ever run `touch /tmp/mtool-scan-attack.<case>`; the e2e test asserts that no
such marker appears while mtool scans them. OUTDIR/MANIFEST.tsv lists each
file, the exit code `mtool scan` must give (1 dangerous, 3 unknown, 0 safe),
its class and where the technique was published.

--verify loads each plain-pickle payload with CPython's pickle.load in a child
process (in a scratch directory) and records whether its marker appeared: the
proof that the case really runs code, independent of mtool.
"""
import bz2
import gzip
import io
import lzma
import os
import pickle
import struct
import subprocess
import sys
import tarfile
import zipfile
import zlib

MARKER = "/tmp/mtool-scan-attack."
CASES = []  # (name, bytes, expected exit, class, source, verifiable by pickle.load)


def add(name, data, expected, cls, source, verifiable=False):
    CASES.append((name, data, expected, cls, source, verifiable))


def cmd(name):
    return "touch " + MARKER + name.split(".")[0]


# ---- raw opcodes (names as in CPython's Lib/pickletools.py) ---------------
def short_binunicode(text):
    data = text.encode()
    return b"\x8c" + bytes([len(data)]) + data


def binunicode(text):
    data = text.encode()
    return b"X" + struct.pack("<I", len(data)) + data


def global_op(module, name):
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def call(module, name, *args, proto=2):
    """module.name(*args) with GLOBAL, a tuple of strings and REDUCE."""
    head = b"\x80" + bytes([proto]) if proto else b""
    return head + global_op(module, name) + b"(" + b"".join(binunicode(a) for a in args) + b"tR."


def stack_call(module_ops, name_ops, *args):
    """STACK_GLOBAL from whatever opcodes push the two names, then REDUCE."""
    return (b"\x80\x04" + module_ops + name_ops + b"\x93(" + b"".join(binunicode(a) for a in args) + b"tR.")


def system_call(name, proto=2):
    return call("posix", "system", cmd(name), proto=proto)


def text_system_call(name):
    """Protocol 0, as pickle.dumps(protocol=0) writes it: no PROTO, all text."""
    return b"cposix\nsystem\n(S'" + cmd(name).encode() + b"'\ntR."


# ---- containers ------------------------------------------------------------
def torch_zip(data_pkl, extra=(), prefix="archive"):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
        z.writestr(prefix + "/data.pkl", data_pkl)
        for name, content in extra:
            z.writestr(name, content)
        z.writestr(prefix + "/version", b"3\n")
    return out.getvalue()


def rename_local(zip_bytes, old, new):
    """Rewrites only the local header's name (same length): central and local disagree."""
    assert len(old) == len(new)
    at = zip_bytes.index(old.encode())  # local headers come before the central directory
    return zip_bytes[:at] + new.encode() + zip_bytes[at + len(old):]


def rename_central(zip_bytes, old, new):
    assert len(old) == len(new)
    at = zip_bytes.index(b"PK\x01\x02")
    at = zip_bytes.index(old.encode(), at)
    return zip_bytes[:at] + new.encode() + zip_bytes[at + len(old):]


def npy(descr_literal, payload, version=1):
    header = ("{'descr': %s, 'fortran_order': False, 'shape': (1,), }" % descr_literal).encode()
    size_field = 2 if version == 1 else 4
    pad = 64 - (6 + 2 + size_field + len(header) + 1) % 64
    header += b" " * pad + b"\n"
    length = struct.pack("<H", len(header)) if version == 1 else struct.pack("<I", len(header))
    return b"\x93NUMPY" + bytes([version, 0]) + length + header + payload


def legacy_parts():
    """The five pickles of a pre-1.6 torch.save, holding no tensors."""
    magic = pickle.dumps(0x1950A86A20F9469CFC6C, protocol=2)
    return [magic, pickle.dumps(1001, protocol=2),
            pickle.dumps({"protocol_version": 1001, "little_endian": True,
                          "type_sizes": {"short": 2, "int": 4, "long": 4}}, protocol=2),
            pickle.dumps({"a": 1}, protocol=2), pickle.dumps([], protocol=2)]


def tar_bytes(members, strip_magic=False):
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    raw = bytearray(out.getvalue())
    if strip_magic:  # a pre-POSIX v7 header: no "ustar", checksum recomputed
        for block in range(0, len(raw) - 512, 512):
            if raw[block + 257:block + 262] == b"ustar":
                raw[block + 257:block + 265] = bytes(8)
                raw[block + 148:block + 156] = b" " * 8
                checksum = sum(raw[block:block + 512])
                raw[block + 148:block + 156] = b"%06o\0 " % checksum
    return bytes(raw)


def build():
    # -- headerless pickles: any opcode may start one ----------------------
    add("proto0_text.pkl", text_system_call("proto0_text"), 1, "no-header",
        "pickle.dumps(protocol=0) has no PROTO (pickletools); picklescan GHSA-769v-p64c-89pr", True)
    add("proto1_binary.pkl", system_call("proto1_binary", proto=None), 1, "no-header",
        "protocol 1: binary opcodes, no PROTO", True)
    add("starts_none_pop.pkl", b"N0" + system_call("starts_none_pop", proto=None), 1, "no-header",
        "fickling: a pickle may open with any opcode (NONE POP)", True)
    add("starts_mark_popmark.pkl", b"(N1" + system_call("starts_mark_popmark", proto=None), 1, "no-header",
        "MARK ... POP_MARK before the payload", True)
    add("starts_binunicode.pkl", binunicode("pad") + b"0" + system_call("starts_binunicode", proto=None), 1,
        "no-header", "BINUNICODE first (not in a header allowlist)", True)
    add("starts_frame.pkl", b"\x95" + struct.pack("<Q", 0) + system_call("starts_frame", proto=None), 1,
        "no-header", "FRAME without PROTO", True)
    broken = system_call("breaks_after_payload", proto=None)[:-1] + b"\xff\xff"
    add("breaks_after_payload.pkl", broken, 1, "broken-stream",
        "nullifAI (ReversingLabs): the stream breaks right after the payload, which has already run", True)
    add("breaks_after_text_payload.pkl", text_system_call("breaks_after_text_payload")[:-1] + b"\x00garbage", 1,
        "broken-stream", "nullifAI, protocol-0 variant", True)

    # -- headerless pickles inside containers ----------------------------------
    add("zip_headerless_data_pkl.pt", torch_zip(text_system_call("zip_headerless_data_pkl")), 1, "no-header",
        "torch.load reads data.pkl from byte 0, header or not")
    add("npy_headerless_object.npy", npy("'|O'", text_system_call("npy_headerless_object")), 1, "no-header",
        "numpy.load(allow_pickle=True) pickle.loads the data of an object array")
    parts = legacy_parts()
    parts[3] = text_system_call("legacy_headerless_object")
    add("legacy_headerless_object.pt", b"".join(parts), 1, "no-header",
        "legacy torch.save: the object pickle written at protocol 0")

    # -- legacy torch.save: every pickle -------------------------------------
    for index in range(5):
        parts = legacy_parts()
        parts[index] = system_call("legacy_payload_%d" % index)
        add("legacy_payload_%d.pt" % index, b"".join(parts), 1, "legacy",
            "torch.load's legacy path unpickles five pickles in turn (torch 1.13 _legacy_load)")
    parts = legacy_parts()
    parts[0] = b"L%dL\n." % 0x1950A86A20F9469CFC6C  # the magic number as protocol-0 LONG text
    parts[3] = system_call("legacy_odd_magic")
    add("legacy_odd_magic.pt", b"".join(parts), 1, "legacy",
        "an odd-looking first pickle (picklescan pytorch_magic_bypass) must not stop the scan")
    parts = legacy_parts()
    add("legacy_after_storages.pt", b"".join(parts) + system_call("legacy_after_storages"), 1, "legacy",
        "a pickle after the last storage: still a pickle")
    parts = legacy_parts()
    members = [("sys_info", parts[2]), ("storages", pickle.dumps(0, protocol=2)),
               ("tensors", pickle.dumps(0, protocol=2)), ("pickle", system_call("legacy_tar_ustar"))]
    add("legacy_tar_ustar.tar", tar_bytes(members), 1, "legacy", "torch's legacy tar format (torch 1.13 legacy_load)")
    members[3] = ("pickle", system_call("legacy_tar_v7"))
    add("legacy_tar_v7.tar", tar_bytes(members, strip_magic=True), 1, "legacy",
        "the same tar without ustar magic: Python's tarfile still reads it")
    members = [("storages", system_call("legacy_tar_storages")), ("tensors", pickle.dumps(0, protocol=2)),
               ("pickle", pickle.dumps({}, protocol=2))]
    add("legacy_tar_storages.tar", tar_bytes(members, strip_magic=True), 1, "legacy",
        "payload in the tar's 'storages' member, the first one torch unpickles")
    name_pickle = b"cposix\nsystem\n(S'" + cmd("tar_name_is_pickle").encode() + b"'\ntR."
    raw = bytearray(tar_bytes([("x", b"data")]))
    raw[0:100] = name_pickle.ljust(100, b"\0")
    raw[148:156] = b" " * 8
    raw[148:156] = b"%06o\0 " % sum(raw[0:512])
    add("tar_name_is_pickle.tar", bytes(raw), 1, "legacy",
        "a tar whose first member name is a pickle: pickle.load reads it from byte 0", True)

    # -- numpy ---------------------------------------------------------------
    for label, descr in [("O", "'O'"), ("bar_O", "'|O'"), ("object", "'object'"), ("O8", "'|O8'"),
                         ("structured", "[('a', '<f4'), ('b', '|O')]"),
                         ("nested", "[('a', [('x', '<i4'), ('y', 'O')])]"), ("escaped", "'\\x4f'")]:
        name = "npy_descr_%s.npy" % label
        add(name, npy(descr, system_call(name)), 1, "numpy",
            "numpy parses the header as a Python literal; any object field unpickles (picklescan scan_numpy)")
    add("npy_v2_object.npy", npy("'|O'", system_call("npy_v2_object"), version=2), 1, "numpy", ".npy version 2 header")
    npz = io.BytesIO()
    with zipfile.ZipFile(npz, "w") as z:
        z.writestr("archive/data/0", npy("'|O'", system_call("npz_member_named_storage")))
    add("npz_member_named_storage.npz", npz.getvalue(), 1, "numpy",
        "np.load opens every npz member that starts with the .npy magic, whatever its name")
    npz = io.BytesIO()
    with zipfile.ZipFile(npz, "w") as z:
        z.writestr("weights.npy", npy("'<f4'", struct.pack("<f", 1.0) * 4))
    add("benign_npz_numbers.npz", npz.getvalue(), 0, "benign", "np.savez of plain numbers: no pickle")

    # -- joblib compressors ---------------------------------------------------
    payload = system_call("joblib")
    for label, data in [("zlib", zlib.compress(payload)), ("gzip", gzip.compress(payload)),
                        ("bz2", bz2.compress(payload)), ("xz", lzma.compress(payload)),
                        ("lzma", lzma.compress(payload, format=lzma.FORMAT_ALONE))]:
        add("joblib_%s.joblib" % label, data, 1, "joblib", "joblib.load decompresses %s before unpickling" % label)

    try:
        import joblib
        import numpy

        class Payload:  # pickled as posix.system(cmd): never called here
            def __init__(self, name):
                self.name = name

            def __reduce__(self):
                return os.system, (cmd(self.name),)

        for compress in (0, "zlib"):
            name = "joblib_array_then_payload_%s.joblib" % (compress or "raw")
            out = io.BytesIO()
            joblib.dump({"w": numpy.arange(6, dtype=numpy.float32), "x": Payload(name)}, out, compress=compress)
            add(name, out.getvalue(), 1, "joblib",
                "joblib.dump writes array bytes inline; the payload after them is still unpickled")
        out = io.BytesIO()
        joblib.dump({"w": numpy.arange(6, dtype=numpy.float64)}, out)
        add("joblib_array_benign.joblib", out.getvalue(), 3, "joblib",
            "a joblib array: its NumpyArrayWrapper is off the allowlist (unknown), and the scan reads through")
    except ImportError:
        pass

    # -- names as the unpickler resolves them ----------------------------------
    add("escape_string_os.pkl", stack_call(b"S'p\\x6fsix'\n", b"S'sys\\164em'\n", cmd("escape_string_os")), 1,
        "names", "STRING escapes: 'p\\x6fsix' is posix (codecs.escape_decode)", True)
    add("escape_unicode_os.pkl", stack_call(b"Vpo\\u0073ix\n", b"Vsystem\n", cmd("escape_unicode_os")), 1, "names",
        "UNICODE raw-unicode-escape: 'po\\u0073ix' is posix", True)
    add("binstring_names.pkl", stack_call(b"U\x05posix", b"T\x06\x00\x00\x00system", cmd("binstring_names")), 1,
        "names", "SHORT_BINSTRING / BINSTRING names for STACK_GLOBAL", True)
    add("py2_cpickle_loads.pkl", call("cPickle", "loads", "x", proto=2), 1, "names",
        "_compat_pickle: cPickle is pickle (nested unpickler)")
    add("py2_commands.pkl", call("commands", "getoutput", cmd("py2_commands"), proto=2), 1, "names",
        "_compat_pickle: commands is subprocess", True)
    register = global_op("copy_reg", "add_extension") + b"(" + binunicode("posix") + binunicode("system") + \
        b"K\x07tR0"
    for op, code in [(b"\x82", b"\x07"), (b"\x83", b"\x07\x00"), (b"\x84", b"\x07\x00\x00\x00")]:
        name = "ext%d_registered.pkl" % {1: 1, 2: 2, 4: 4}[len(code)]
        add(name, b"\x80\x02" + register + op + code + b"(" + binunicode(cmd(name)) + b"tR.", 1, "names",
            "copyreg.add_extension earlier in the stream, then EXT%d (pickletools)" % len(code), True)
    add("ext1_unregistered.pkl", b"\x80\x02\x82\x09(" + binunicode("x") + b"tR.", 3, "names",
        "an extension code nothing registered: not known")
    add("dotted_pathlib_os_system.pkl",
        stack_call(short_binunicode("pathlib"), short_binunicode("os.system"), cmd("dotted_pathlib_os_system")), 1,
        "names", "protocol-4 dotted names: pathlib.os is os (picklescan#66)", True)
    add("dotted_builtins_dict_get.pkl",
        b"\x80\x04" + short_binunicode("builtins") + short_binunicode("__dict__.get") + b"\x93" +
        short_binunicode("eval") + b"\x85R(" + binunicode("__import__('os').system('%s')" %
                                               cmd("dotted_builtins_dict_get")) + b"tR.", 1, "names",
        "builtins.__dict__.get('eval'): introspection through a harmless module", True)
    add("dotted_numpy_dtypes_builtins.pkl",
        stack_call(short_binunicode("numpy.dtypes"), short_binunicode("__builtins__.get"), "eval"), 1, "names",
        "numpy.dtypes + __builtins__.get reaches eval (a whole-module allowlist entry is a hole)")
    add("getattr_chain.pkl",
        b"\x80\x02" + global_op("builtins", "getattr") + b"(" + global_op("pathlib", "os") + binunicode("system") +
        b"tR(" + binunicode(cmd("getattr_chain")) + b"tR.", 1, "names", "builtins.getattr on an imported module",
        True)

    # -- callables from advisories ---------------------------------------------
    for module, name, source in [
        ("_posixsubprocess", "fork_exec", "subprocess internals (picklescan GHSA)"),
        ("subprocess", "getoutput", "picklescan malicious8"),
        ("ctypes", "CDLL", "picklescan: ctypes loads libraries"),
        ("importlib", "import_module", "picklescan#74"),
        ("pkgutil", "resolve_name", "picklescan#66"),
        ("runpy", "run_path", "picklescan malicious14"),
        ("imp", "load_source", "imp runs a file"),
        ("operator", "attrgetter", "picklescan malicious12"),
        ("operator", "methodcaller", "picklescan malicious12"),
        ("operator", "itemgetter", "picklescan _unsafe_globals"),
        ("functools", "partial", "picklescan malicious19"),
        ("functools", "reduce", "functools.reduce calls any callable"),
        ("pickle", "loads", "picklescan malicious13a: nested unpickler"),
        ("_pickle", "loads", "picklescan malicious13b"),
        ("dill", "loads", "nested unpickler"),
        ("joblib", "load", "nested unpickler"),
        ("marshal", "loads", "picklescan#74"),
        ("numpy", "load", "nested unpickler"),
        ("torch", "load", "nested unpickler; CVE-2025-32434 class"),
        ("torch.storage", "_load_from_bytes", "nested torch.load of stored bytes"),
        ("torch.fx.graph_module", "reduce_graph_module", "execs stored Python source (torch 1.13)"),
        ("torch.utils.bottleneck.__main__", "run_cprofile", "picklescan GHSA"),
        ("torch._inductor.codecache", "compile_file", "picklescan malicious17"),
        ("torch.jit.unsupported_tensor_ops", "execWrapper", "picklescan GHSA"),
        ("idlelib.pyshell", "ModifiedInterpreter.runcommand", "picklescan GHSA"),
        ("lib2to3.pgen2.grammar", "Grammar.loads", "picklescan GHSA"),
        ("_aix_support", "_read_cmd_output", "picklescan GHSA"),
        ("_osx_support", "_read_output", "picklescan GHSA"),
        ("imaplib", "IMAP4_stream", "picklescan GHSA"),
        ("_pyrepl.pager", "pipe_pager", "picklescan GHSA"),
        ("test.support.script_helper", "assert_python_ok", "picklescan GHSA"),
        ("code", "InteractiveInterpreter.runcode", "picklescan _unsafe_globals"),
        ("codeop", "compile_command", "compiles source"),
        ("pdb", "run", "picklescan _unsafe_globals"),
        ("timeit", "timeit", "picklescan _unsafe_globals"),
        ("webbrowser", "open", "picklescan _unsafe_globals"),
        ("shutil", "rmtree", "picklescan _unsafe_globals"),
        ("asyncio.subprocess", "create_subprocess_shell", "picklescan: asyncio"),
        ("multiprocessing.util", "spawnv_passfds", "spawns processes"),
        ("distutils.spawn", "spawn", "spawns commands"),
        ("setuptools.sandbox", "run_setup", "runs setup.py"),
        ("pip", "main", "CVE-2025-1716 (Sonatype): pip.main installs a package"),
    ]:
        case = "callable_%s_%s.pkl" % (module.replace(".", "_"), name.replace(".", "_"))
        data = call(module, name, cmd(case)) if "." not in name else \
            stack_call(short_binunicode(module), short_binunicode(name), cmd(case))
        add(case, data, 1, "callables", source)

    # -- zip tricks and the TorchScript allowance --------------------------------
    zipped = torch_zip(system_call("zip_local_name_storage"))
    add("zip_local_name_storage.pt", rename_local(zipped, "archive/data.pkl", "archive/data/000"), 1, "zip",
        "CVE-2025-1944: the local name looks like a tensor storage; torch reads data.pkl by its central name")
    zipped = torch_zip(system_call("zip_central_name_storage"))
    add("zip_central_name_storage.pt", rename_central(zipped, "archive/data.pkl", "archive/data/000"), 1, "zip",
        "CVE-2025-1944 reversed: the central name looks like a storage, the local one is data.pkl")
    for flag in (0x1, 0x20, 0x40):
        zipped = bytearray(torch_zip(system_call("zip_flag_%x" % flag)))
        zipped[6] |= flag
        central = zipped.index(b"PK\x01\x02")
        zipped[central + 8] |= flag
        add("zip_flag_%x.pt" % flag, bytes(zipped), 1, "zip", "CVE-2025-1945: general-purpose flag bits")
    add("zip_odd_extension.bin.tmp", torch_zip(system_call("zip_odd_extension")), 1, "zip",
        "CVE-2025-1889: found by content, not by extension")
    jit_pickle = b"\x80\x02" + global_op("torch.jit._pickle", "build_intlist") + b"(]tR."
    add("ts_allowance_without_constants.pt",
        torch_zip(jit_pickle, extra=[("archive/code/__torch__.py", b"x"), ("archive/bytecode.pkl", b"\x80\x02).")]),
        3, "torchscript", "code/ and bytecode.pkl do not make torch.load read it as TorchScript (no constants.pkl)")
    add("ts_allowance_extra_pickle.pt",
        torch_zip(pickle.dumps({}, protocol=2), extra=[("archive/constants.pkl", b"\x80\x02)."),
                                                       ("archive/extra/meta.pkl", jit_pickle)]),
        3, "torchscript", "extra/ files are handed to the caller, who may unpickle them: no TorchScript allowance")
    add("ts_extra_dangerous_pickle.pt",
        torch_zip(pickle.dumps({}, protocol=2), extra=[("archive/constants.pkl", b"\x80\x02)."),
                                                       ("archive/extra/meta.pkl", system_call("ts_extra"))]),
        1, "torchscript", "torch.jit.load returns extra/ files as bytes (torch 1.13 import.cpp) for the caller to read, "
                          "maybe with pickle.loads")
    add("ts_extra_debug_pkl.pt",
        torch_zip(pickle.dumps({}, protocol=2), extra=[("archive/constants.pkl", b"\x80\x02)."),
                                                       ("archive/extra/x.py", b"x"),
                                                       ("archive/extra/x.py.debug_pkl", system_call("ts_extra_debug"))]),
        1, "torchscript", "torch.utils.model_dump pickle.loads <name>.py.debug_pkl for every .py record, extra/ too")
    add("ts_extra_object_npy.pt",
        torch_zip(pickle.dumps({}, protocol=2), extra=[("archive/constants.pkl", b"\x80\x02)."),
                                                       ("archive/extra/a.npy",
                                                        npy("'|O'", system_call("ts_extra_npy")))]),
        1, "torchscript", "numpy.load opens any zip as an npz: an object .npy under extra/ is unpickled")
    add("save_extra_pickle.pt",
        torch_zip(pickle.dumps({}, protocol=2), extra=[("archive/extra/meta.pkl", system_call("save_extra"))]),
        1, "zip", "extra/ means nothing in a torch.save zip (no constants.pkl or bytecode.pkl): scanned as any record")
    add("ts_dangerous_data_pkl.pt",
        torch_zip(system_call("ts_dangerous_data_pkl"), extra=[("archive/constants.pkl", b"\x80\x02).")]), 1,
        "torchscript", "a TorchScript-looking archive still may not name os.system")

    # -- benign counterparts ----------------------------------------------------
    add("benign_py2_xrange.pkl", b"c__builtin__\nxrange\n(K\x03tR.", 0, "benign",
        "_compat_pickle: __builtin__.xrange is builtins.range")
    add("benign_py2_set.pkl", b"c__builtin__\nset\n((lp0\nI1\natR.", 0, "benign", "__builtin__.set is builtins.set")
    add("benign_deep_list.pkl", b"\x80\x02" + b"]" * 5000 + b"a" * 4999 + b".", 0, "benign",
        "CPython has no nesting limit: 5000 nested lists")
    add("benign_deep_in_zip.pt", torch_zip(b"\x80\x02" + b"]" * 3000 + b"a" * 2999 + b"."), 0, "benign",
        "a 3000-deep list as a torch zip's data.pkl")
    add("benign_plain_p0.pkl", pickle.dumps({"a": [1, 2.5, "x"]}, protocol=0), 0, "benign",
        "protocol 0 plain data: no globals")
    add("benign_ordered_dict_p0.pkl", pickle.dumps(__import__("collections").OrderedDict(a=1), protocol=0), 0,
        "benign", "protocol 0 OrderedDict (collections.OrderedDict)")
    try:
        import numpy
        add("benign_numpy_p5.pkl", pickle.dumps(numpy.arange(6, dtype=numpy.float32), protocol=5), 0, "benign",
            "numpy's protocol-5 array rebuild (numpy.core.numeric._frombuffer)")
        add("benign_numpy_p2.pkl", pickle.dumps(numpy.arange(3), protocol=2), 0, "benign",
            "numpy's protocol-2 array rebuild (_reconstruct, ndarray, dtype)")
    except ImportError:
        pass
    add("benign_legacy_empty.pt", b"".join(legacy_parts()), 0, "benign", "a legacy torch.save holding a dict")


def verify(outdir):
    """Runs each verifiable payload through CPython's pickle.load; True when its marker appeared."""
    results = {}
    for name, _data, _expected, _cls, _source, verifiable in CASES:
        if not verifiable:
            continue
        marker = MARKER + name.split(".")[0]
        if os.path.exists(marker):
            os.remove(marker)
        subprocess.run([sys.executable, "-c", "import pickle,sys; pickle.load(open(sys.argv[1],'rb'))",
                        os.path.abspath(os.path.join(outdir, name))], capture_output=True, timeout=30, cwd="/tmp")
        results[name] = os.path.exists(marker)
        if results[name]:
            os.remove(marker)
    return results


def main():
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    build()
    for name, data, *_ in CASES:
        with open(os.path.join(outdir, name), "wb") as out:
            out.write(data)
    ran = verify(outdir) if "--verify" in sys.argv else {}
    with open(os.path.join(outdir, "MANIFEST.tsv"), "w") as manifest:
        manifest.write("file\texit\tclass\tpickle.load runs it\tsource\n")
        for name, _data, expected, cls, source, _verifiable in CASES:
            runs = {True: "yes", False: "NO"}.get(ran.get(name), "-")
            manifest.write("%s\t%d\t%s\t%s\t%s\n" % (name, expected, cls, runs, source))
    print("%d cases in %s" % (len(CASES), outdir))


if __name__ == "__main__":
    main()
