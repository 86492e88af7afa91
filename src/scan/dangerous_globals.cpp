#include "scan/dangerous_globals.h"

#include <string>

namespace mtool {

namespace {

constexpr std::string_view kPicklescan = "picklescan _unsafe_globals (mmaitre314/picklescan scanner.py)";
constexpr std::string_view kNestedUnpickler = "nested unpickler: loads a second payload the scan never sees";
constexpr std::string_view kTorchSource = "torch 1.13 Python source: exec/eval of stored source or a subprocess";

constexpr DangerousGlobal kTable[] = {
    // Processes and the operating system.
    {"os", true, kPicklescan}, {"posix", true, kPicklescan}, {"nt", true, kPicklescan},
    {"subprocess", true, kPicklescan}, {"_posixsubprocess", true, "subprocess internals (fork_exec); picklescan GHSA"},
    {"_winapi", true, "subprocess internals on Windows (CreateProcess)"}, {"pty", true, kPicklescan},
    {"popen2", true, "Python 2 process spawning"}, {"commands", true, kPicklescan},
    {"platform", true, "platform.popen (Python < 3.8) and _syscmd_file run commands"},
    {"sys", true, kPicklescan}, {"signal", true, "signal handlers and kill"},
    {"shutil", true, kPicklescan}, {"tempfile", true, "writes files"}, {"io", true, "io.open writes files"},
    {"_io", true, "_io.open writes files"}, {"fileinput", true, "opens files in place"},
    {"glob", true, "filesystem probing"}, {"webbrowser", true, kPicklescan},
    {"uuid._get_command_stdout", false, "uuid runs ifconfig/ipconfig (picklescan GHSA)"},
    {"uuid._popen", false, "uuid runs commands in Python < 3.9"},
    // Code execution and importers.
    {"builtins.eval", false, kPicklescan}, {"builtins.exec", false, kPicklescan},
    {"builtins.compile", false, kPicklescan}, {"builtins.open", false, kPicklescan},
    {"builtins.getattr", false, kPicklescan}, {"builtins.setattr", false, "attribute writes on any object"},
    {"builtins.delattr", false, "attribute deletes on any object"}, {"builtins.__import__", false, kPicklescan},
    {"builtins.globals", false, "reaches every global"}, {"builtins.locals", false, "reaches local frames"},
    {"builtins.vars", false, "reaches any namespace"}, {"builtins.input", false, "blocks on stdin"},
    {"builtins.breakpoint", false, kPicklescan}, {"builtins.exit", false, "ends the process"},
    {"builtins.quit", false, "ends the process"}, {"builtins.help", false, "pydoc pager runs a command"},
    {"builtins.apply", false, kPicklescan}, {"builtins.execfile", false, "Python 2 execfile"},
    {"builtins.file", false, "Python 2 file()"}, {"builtins.reload", false, "Python 2 reload()"},
    {"builtins.memoryview", false, "raw memory access"},
    {"types.FunctionType", false, "builds a function from a code object"},
    {"types.CodeType", false, "builds a code object"}, {"types.MethodType", false, "binds callables"},
    {"code", true, kPicklescan}, {"codeop", true, "compiles source"}, {"runpy", true, kPicklescan},
    {"importlib", true, "picklescan#74: importlib.import_module reaches any module"},
    {"imp", true, "imp.load_source runs a file"}, {"pkgutil", true, "picklescan#66: pkgutil.resolve_name"},
    {"zipimport", true, "imports code from a zip"}, {"ctypes", true, kPicklescan}, {"_ctypes", true, kPicklescan},
    {"cffi", true, "foreign function interface"}, {"pdb", true, kPicklescan}, {"bdb", true, kPicklescan},
    {"trace", true, kPicklescan}, {"profile", true, kPicklescan}, {"cProfile", true, kPicklescan},
    {"timeit", true, kPicklescan}, {"pydoc", true, kPicklescan}, {"doctest", true, "doctest.debug_script (modelscan#313)"},
    {"idlelib", true, kPicklescan}, {"lib2to3", true, kPicklescan},
    {"_aix_support", true, "runs lslpp through subprocess (picklescan GHSA)"},
    {"_osx_support", true, "runs compiler commands through os.popen (picklescan GHSA)"},
    {"_pyrepl", true, "_pyrepl.pager runs a pager command (picklescan GHSA)"},
    {"pydoc_data", true, kPicklescan}, {"test.support", true, "script_helper runs Python subprocesses"},
    {"cgi", true, "runs handlers"}, {"cgitb", true, "runs handlers"},
    {"operator", true, "picklescan malicious12: attrgetter/methodcaller/itemgetter call and reach attributes"},
    {"_operator", true, "operator's C implementation"},
    {"functools", true, "picklescan malicious19: functools.partial, reduce wrap any callable"},
    {"_functools", true, "functools' C implementation"},
    // Nested unpicklers and loaders.
    {"pickle", true, kPicklescan}, {"_pickle", true, kPicklescan}, {"pickletools", true, kNestedUnpickler},
    {"marshal", true, "picklescan#74: marshal.loads builds code objects"}, {"dill", true, kNestedUnpickler},
    {"cloudpickle", true, kNestedUnpickler}, {"joblib.load", false, kNestedUnpickler},
    {"joblib.numpy_pickle.load", false, kNestedUnpickler}, {"joblib.numpy_pickle.NumpyUnpickler", false, kNestedUnpickler}, {"shelve", true, kNestedUnpickler},
    {"numpy.load", false, kNestedUnpickler}, {"numpy.lib.npyio", true, kNestedUnpickler},
    {"numpy.lib.format.read_array", false, kNestedUnpickler}, {"numpy.ctypeslib", true, "loads shared libraries"},
    {"numpy.testing", true, kPicklescan}, {"numpy.f2py", true, kPicklescan}, {"numpy.distutils", true, "spawns compilers"},
    {"pandas.read_pickle", false, kNestedUnpickler}, {"pandas.io.pickle", true, kNestedUnpickler},
    {"torch.load", false, kNestedUnpickler}, {"torch.serialization.load", false, kPicklescan},
    {"torch.serialization._load", false, kNestedUnpickler}, {"torch.serialization._legacy_load", false, kNestedUnpickler},
    {"torch.storage._load_from_bytes", false, "nested torch.load of stored bytes (CVE-2025-32434 class)"},
    {"torch.jit.load", false, kNestedUnpickler}, {"torch.jit._serialization", true, kNestedUnpickler},
    {"torch.package", true, "torch.package's importer runs stored source"},
    {"torch.utils._config_module", true, kPicklescan},
    {"torch.utils.data.datapipes.utils.decoder", true, kPicklescan},
    // Torch internals that exec stored source or shell out.
    {"torch.fx.graph_module", true, "reduce_graph_module execs stored Python source (" "torch 1.13 fx/graph_module.py)"},
    {"torch.fx.experimental", true, kTorchSource},
    {"torch._jit_internal", true, "createResolutionCallbackFromEnv evals names (torch 1.13 _jit_internal.py)"}, {"torch.jit.annotations", true, kTorchSource},
    {"torch.jit.frontend", true, kTorchSource}, {"torch.jit.unsupported_tensor_ops", true, kPicklescan},
    {"torch._dynamo", true, kPicklescan}, {"torch._inductor", true, kPicklescan},
    {"torch.utils.bottleneck", true, kPicklescan}, {"torch.utils.collect_env", true, kPicklescan},
    {"torch.utils.cpp_extension", true, kTorchSource}, {"torch.utils.hipify", true, kTorchSource},
    {"torch.utils.benchmark", true, kTorchSource}, {"torch.backends.xeon", true, kTorchSource},
    {"torch.distributed", true, kTorchSource}, {"torch.hub", true, "downloads and runs hubconf.py"},
    {"torch.onnx.verification", true, kTorchSource}, {"torch.cuda._memory_viz", true, kTorchSource},
    {"torch.testing._internal", true, kTorchSource}, {"torch._C._jit_pass_onnx", false, kTorchSource},
    // Packaging: spawn compilers and installers.
    {"pip", true, "CVE-2025-1716: pip.main installs a package"}, {"ensurepip", true, kPicklescan},
    {"venv", true, kPicklescan}, {"setuptools", true, "spawns commands"}, {"distutils", true, "spawn, file_util"},
    {"pkg_resources", true, "imports entry points"},
    // Network.
    {"socket", true, kPicklescan}, {"_socket", true, kPicklescan}, {"ssl", true, kPicklescan},
    {"http", true, kPicklescan}, {"urllib", true, "network requests"}, {"urllib2", true, "network requests"},
    {"urllib3", true, "network requests"}, {"requests", true, kPicklescan}, {"httpx", true, "network requests"},
    {"aiohttp", true, kPicklescan}, {"ftplib", true, "network"}, {"telnetlib", true, "network"},
    {"smtplib", true, "network"}, {"imaplib", true, "imaplib.IMAP4_stream runs a command (picklescan GHSA)"},
    {"poplib", true, "network"}, {"nntplib", true, "network"}, {"xmlrpc", true, "network"},
    {"socketserver", true, "network"}, {"asyncio", true, kPicklescan},
    // Threads and processes.
    {"multiprocessing", true, "spawns processes"}, {"_multiprocessing", true, "spawns processes"},
    {"concurrent", true, "process pools"}, {"threading", true, "runs callables"}, {"_thread", true, "runs callables"},
    {"sched", true, "runs callables"}, {"atexit", true, "runs callables at exit"},
    {"ctypes.util", true, "runs compilers to find libraries"},
};

bool under(std::string_view module, std::string_view prefix) {
  return module == prefix || (module.size() > prefix.size() && module.starts_with(prefix) && module[prefix.size()] == '.');
}

}  // namespace

bool is_dangerous_global(std::string_view module, std::string_view name) {
  std::string qualified = std::string(module) + "." + std::string(name);
  std::string_view head = name.substr(0, name.find('.'));
  std::string head_qualified = std::string(module) + "." + std::string(head);
  for (const DangerousGlobal& entry : kTable) {
    if (entry.whole_module ? under(module, entry.name) || under(qualified, entry.name)
                           : entry.name == qualified || entry.name == head_qualified) {
      return true;
    }
  }
  return false;
}

const DangerousGlobal* dangerous_globals_begin() { return std::begin(kTable); }
const DangerousGlobal* dangerous_globals_end() { return std::end(kTable); }

}  // namespace mtool
