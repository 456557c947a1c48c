// Forwarders for the CPython functions that scan_python.cpp uses; the
// compiler checks each signature against Python.h. A function added to
// scan_python.cpp needs a line here, or the link fails naming it.
#include "scanners/python_api.h"

#include "tcpflow_config.h"  // TCPFLOW_*_SONAME

#include "util/lazy_library.h"

namespace tcpflow::scanners::python_api {

namespace {

LazyLibrary& libpython() {
  static LazyLibrary library(TCPFLOW_PYTHON_SONAME, "the python scanner (-e python)");
  return library;
}

}  // namespace

PyObject* none() {
  static PyObject* const object = static_cast<PyObject*>(libpython().symbol("_Py_NoneStruct"));
  return object;
}

}  // namespace tcpflow::scanners::python_api

#define TCPFLOW_PYTHON_REAL(name) \
  TCPFLOW_LAZY_REAL(tcpflow::scanners::python_api::libpython(), name)

extern "C" {

int PyCallable_Check(PyObject* object) {
  TCPFLOW_PYTHON_REAL(PyCallable_Check);
  return real(object);
}
void PyConfig_Clear(PyConfig* config) {
  TCPFLOW_PYTHON_REAL(PyConfig_Clear);
  real(config);
}
void PyConfig_InitIsolatedConfig(PyConfig* config) {
  TCPFLOW_PYTHON_REAL(PyConfig_InitIsolatedConfig);
  real(config);
}
PyStatus PyConfig_SetString(PyConfig* config, wchar_t** field, const wchar_t* value) {
  TCPFLOW_PYTHON_REAL(PyConfig_SetString);
  return real(config, field, value);
}
void PyErr_Clear(void) {
  TCPFLOW_PYTHON_REAL(PyErr_Clear);
  real();
}
void PyErr_Fetch(PyObject** type, PyObject** value, PyObject** traceback) {
  TCPFLOW_PYTHON_REAL(PyErr_Fetch);
  real(type, value, traceback);
}
void PyErr_NormalizeException(PyObject** type, PyObject** value, PyObject** traceback) {
  TCPFLOW_PYTHON_REAL(PyErr_NormalizeException);
  real(type, value, traceback);
}
PyObject* PyImport_ImportModule(const char* name) {
  TCPFLOW_PYTHON_REAL(PyImport_ImportModule);
  return real(name);
}
int PyList_Insert(PyObject* list, Py_ssize_t index, PyObject* item) {
  TCPFLOW_PYTHON_REAL(PyList_Insert);
  return real(list, index, item);
}
PyObject* PyObject_CallObject(PyObject* callable, PyObject* args) {
  TCPFLOW_PYTHON_REAL(PyObject_CallObject);
  return real(callable, args);
}
PyObject* PyObject_GetAttrString(PyObject* object, const char* name) {
  TCPFLOW_PYTHON_REAL(PyObject_GetAttrString);
  return real(object, name);
}
PyObject* PyObject_Str(PyObject* object) {
  TCPFLOW_PYTHON_REAL(PyObject_Str);
  return real(object);
}
void PyPreConfig_InitIsolatedConfig(PyPreConfig* config) {
  TCPFLOW_PYTHON_REAL(PyPreConfig_InitIsolatedConfig);
  real(config);
}
int PyStatus_Exception(PyStatus status) {
  TCPFLOW_PYTHON_REAL(PyStatus_Exception);
  return real(status);
}
PyObject* PySys_GetObject(const char* name) {
  TCPFLOW_PYTHON_REAL(PySys_GetObject);
  return real(name);
}
PyObject* PyTuple_New(Py_ssize_t size) {
  TCPFLOW_PYTHON_REAL(PyTuple_New);
  return real(size);
}
int PyTuple_SetItem(PyObject* tuple, Py_ssize_t index, PyObject* item) {
  TCPFLOW_PYTHON_REAL(PyTuple_SetItem);
  return real(tuple, index, item);
}
PyObject* PyUnicode_AsEncodedString(PyObject* text, const char* encoding, const char* errors) {
  TCPFLOW_PYTHON_REAL(PyUnicode_AsEncodedString);
  return real(text, encoding, errors);
}
PyObject* PyUnicode_DecodeFSDefault(const char* bytes) {
  TCPFLOW_PYTHON_REAL(PyUnicode_DecodeFSDefault);
  return real(bytes);
}
PyObject* PyUnicode_DecodeFSDefaultAndSize(const char* bytes, Py_ssize_t size) {
  TCPFLOW_PYTHON_REAL(PyUnicode_DecodeFSDefaultAndSize);
  return real(bytes, size);
}
PyObject* PyUnicode_DecodeUTF8(const char* bytes, Py_ssize_t size, const char* errors) {
  TCPFLOW_PYTHON_REAL(PyUnicode_DecodeUTF8);
  return real(bytes, size, errors);
}
int Py_FinalizeEx(void) {
  TCPFLOW_PYTHON_REAL(Py_FinalizeEx);
  return real();
}
PyStatus Py_InitializeFromConfig(const PyConfig* config) {
  TCPFLOW_PYTHON_REAL(Py_InitializeFromConfig);
  return real(config);
}
int Py_IsInitialized(void) {
  TCPFLOW_PYTHON_REAL(Py_IsInitialized);
  return real();
}
PyStatus Py_PreInitialize(const PyPreConfig* config) {
  TCPFLOW_PYTHON_REAL(Py_PreInitialize);
  return real(config);
}
// Called by Py_DECREF when a reference count reaches zero.
void _Py_Dealloc(PyObject* object) {
  TCPFLOW_PYTHON_REAL(_Py_Dealloc);
  real(object);
}

}  // extern "C"
