// The python scanner with embedded CPython. The interpreter starts when the
// scanner is enabled for a run (setup(), before any packet, so a missing
// module or function stops tcpflow at once), the module is imported once,
// and FUNCTION(path) is called for every closed flow file. An exception in
// the plugin is that flow's problem only: reported, counted, never fatal.
#include <cstdio>
#include <utility>

#include "scanners/python_api.h"
#include "scanners/scan_python.h"
#include "util/error.h"

namespace tcpflow::scanners {

namespace {

// One owned reference; nullptr allowed.
class PyRef {
 public:
  PyRef() = default;
  explicit PyRef(PyObject* object) : object_(object) {}
  ~PyRef() { Py_XDECREF(object_); }
  PyRef(PyRef&& other) noexcept : object_(std::exchange(other.object_, nullptr)) {}
  PyRef& operator=(PyRef&& other) noexcept {
    std::swap(object_, other.object_);
    return *this;
  }
  PyRef(const PyRef&) = delete;
  PyRef& operator=(const PyRef&) = delete;
  PyObject* get() const { return object_; }
  explicit operator bool() const { return object_ != nullptr; }

 private:
  PyObject* object_ = nullptr;
};

// UTF-8 of a str; undecodable parts (lone surrogates from file names) as \x escapes.
std::string utf8(PyObject* text) {
  PyRef bytes(PyUnicode_AsEncodedString(text, "utf-8", "backslashreplace"));
  if (!bytes) {
    PyErr_Clear();
    return "?";
  }
  return std::string(PyBytes_AS_STRING(bytes.get()),
                     static_cast<size_t>(PyBytes_GET_SIZE(bytes.get())));
}

// The pending exception as one line, "ValueError: message"; clears it.
std::string take_exception() {
  PyObject* raw_type = nullptr;
  PyObject* raw_value = nullptr;
  PyObject* raw_traceback = nullptr;
  PyErr_Fetch(&raw_type, &raw_value, &raw_traceback);
  PyErr_NormalizeException(&raw_type, &raw_value, &raw_traceback);
  PyRef type(raw_type), value(raw_value), traceback(raw_traceback);
  std::string out = type ? reinterpret_cast<PyTypeObject*>(type.get())->tp_name : "exception";
  if (value) {
    PyRef text(PyObject_Str(value.get()));
    if (text) {
      std::string message = utf8(text.get());
      if (!message.empty()) out += ": " + message;
    }
    PyErr_Clear();
  }
  for (char& ch : out) {
    if (ch == '\n' || ch == '\r') ch = ' ';  // one stderr line per flow
  }
  return out;
}

// The process's interpreter, started with a fixed configuration: no signal
// handlers (SIGINT stays tcpflow's), no environment variables or user site
// directory (a run does not change with PYTHON* in the environment), and
// UTF-8 mode (file names round-trip through surrogateescape).
class Interpreter {
 public:
  Interpreter() {
    if (Py_IsInitialized()) throw Error("python scanner: the interpreter is already running");
    PyPreConfig preconfig;
    PyPreConfig_InitIsolatedConfig(&preconfig);
    preconfig.utf8_mode = 1;
    PyStatus status = Py_PreInitialize(&preconfig);
    if (PyStatus_Exception(status)) fail(status);
    PyConfig config;
    PyConfig_InitIsolatedConfig(&config);
    config.install_signal_handlers = 0;
    config.parse_argv = 0;
    config.write_bytecode = 0;  // never leave __pycache__ next to the user's plugin
    status = PyConfig_SetString(&config, &config.program_name, L"tcpflow");
    if (!PyStatus_Exception(status)) status = Py_InitializeFromConfig(&config);
    PyConfig_Clear(&config);
    if (PyStatus_Exception(status)) fail(status);
  }
  ~Interpreter() { Py_FinalizeEx(); }
  Interpreter(const Interpreter&) = delete;
  Interpreter& operator=(const Interpreter&) = delete;

 private:
  [[noreturn]] static void fail(const PyStatus& status) {
    throw Error(std::string("python scanner: cannot start the interpreter: ") +
                (status.err_msg ? status.err_msg : "unknown error"));
  }
};

// The interpreter plus the user's function; members are released in
// reverse order, so every reference goes before Py_FinalizeEx.
struct Plugin {
  Interpreter interpreter;
  PyRef module;
  PyRef function;
};

class PythonRun : public ScanRun {
 public:
  PythonRun(Plugin& plugin, std::string path) : plugin_(plugin), path_(std::move(path)) {}
  // The plugin reads the file itself (it may want to seek or mmap).
  void update(ByteView) override {}
  void finish(ScanResult& result) override;

 private:
  Plugin& plugin_;
  std::string path_;
};

void PythonRun::finish(ScanResult& result) {
  PyRef argument(PyUnicode_DecodeFSDefaultAndSize(path_.data(),
                                                  static_cast<Py_ssize_t>(path_.size())));
  // A one-item tuple built by hand: the variadic call helpers cannot be
  // forwarded to a library loaded at run time (python_api.h).
  PyRef arguments(argument ? PyTuple_New(1) : nullptr);
  PyRef value;
  if (arguments) {
    Py_INCREF(argument.get());  // PyTuple_SetItem takes this reference
    PyTuple_SetItem(arguments.get(), 0, argument.get());
    value = PyRef(PyObject_CallObject(plugin_.function.get(), arguments.get()));
  }
  if (!value) {
    std::string error = take_exception();
    std::fprintf(stderr, "tcpflow: python: %s: %s\n", path_.c_str(), error.c_str());
    result.stats.add(Counter::kPythonErrors);
    result.xml.push_back(report::XmlChild::leaf("python").attr("error", error));
    result.jsonl.emplace_back("python_error", error);
    return;
  }
  if (value.get() == python_api::none()) return;  // nothing to say about this flow
  std::string text;
  if (PyUnicode_Check(value.get())) {
    text = utf8(value.get());
  } else if (PyBytes_Check(value.get())) {
    PyRef decoded(PyUnicode_DecodeUTF8(PyBytes_AS_STRING(value.get()),
                                       PyBytes_GET_SIZE(value.get()), "replace"));
    text = decoded ? utf8(decoded.get()) : "";
  } else {
    PyRef str(PyObject_Str(value.get()));
    text = str ? utf8(str.get()) : "";
  }
  PyErr_Clear();
  result.xml.push_back(report::XmlChild::leaf("python", text));
  result.jsonl.emplace_back("python", text);
}

class PythonScanner : public Scanner {
 public:
  explicit PythonScanner(const ScannerOptions& options)
      : path_(options.py_path), module_(options.py_module), function_(options.py_function) {}

  std::string_view name() const override { return "python"; }
  std::string_view description() const override {
    return "calls py_function(path) of a Python module on every flow file; its str result "
           "goes into the report";
  }
  std::string_view settings_help() const override {
    return "py_path=  directory put first on the module search path\n"
           "py_module=  module to import (required)\n"
           "py_function=  function called with each flow file's path (required)";
  }
  bool enabled_by_all() const override { return !module_.empty(); }
  void setup() override;
  std::unique_ptr<ScanRun> begin(const ScanTarget& target) override {
    if (!plugin_) return nullptr;
    return std::make_unique<PythonRun>(*plugin_, target.path);
  }

 private:
  std::string path_, module_, function_;
  std::unique_ptr<Plugin> plugin_;
};

void PythonScanner::setup() {
  if (module_.empty() || function_.empty()) {
    throw UsageError("-e python needs -S py_module=MODULE and -S py_function=FUNCTION");
  }
  auto plugin = std::make_unique<Plugin>();
  std::string where = "python scanner: module '" + module_ + "'";
  if (!path_.empty()) {
    PyObject* sys_path = PySys_GetObject("path");  // borrowed
    PyRef directory(PyUnicode_DecodeFSDefault(path_.c_str()));
    if (!sys_path || !directory || PyList_Insert(sys_path, 0, directory.get()) != 0) {
      throw Error(where + ": cannot add " + path_ + " to sys.path: " + take_exception());
    }
    where += " (py_path " + path_ + ")";
  }
  plugin->module = PyRef(PyImport_ImportModule(module_.c_str()));
  if (!plugin->module) throw Error(where + ": cannot import: " + take_exception());
  plugin->function = PyRef(PyObject_GetAttrString(plugin->module.get(), function_.c_str()));
  if (!plugin->function) {
    PyErr_Clear();
    throw Error(where + " has no function '" + function_ + "'");
  }
  if (!PyCallable_Check(plugin->function.get())) {
    throw Error(where + ": '" + function_ + "' is not callable");
  }
  plugin_ = std::move(plugin);
}

}  // namespace

std::unique_ptr<Scanner> make_python_scanner(const ScannerOptions& options) {
  return std::make_unique<PythonScanner>(options);
}

}  // namespace tcpflow::scanners

// CPython keeps allocations for the life of the process on purpose (interned
// strings, static types, caches); LeakSanitizer would report them at exit in
// the sanitizer build. So does fontconfig, which cairo loads to draw the
// netviz page (its configuration and font caches; FcFini would abort while
// cairo still holds a font). Only those libraries' own allocations are
// excused. The hook lives here because every tcpflow program links this file.
#if defined(__SANITIZE_ADDRESS__)
#define TCPFLOW_LSAN_SUPPRESSIONS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TCPFLOW_LSAN_SUPPRESSIONS 1
#endif
#endif
#ifdef TCPFLOW_LSAN_SUPPRESSIONS
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libpython3\nleak:libfontconfig.so\n";
}
// Without this, every run that used them lists the suppressions on stderr.
extern "C" const char* __lsan_default_options() { return "print_suppressions=0"; }
#endif
