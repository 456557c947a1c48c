// CPython, loaded when the python scanner starts rather than at start-up
// (see util/lazy_library.h). python_api.cpp defines the CPython functions
// that scan_python.cpp calls; each finds the real one on its first call.
#pragma once
#define PY_SSIZE_T_CLEAN
#include <Python.h>

namespace tcpflow::scanners::python_api {

// Py_None. The macro names a data symbol of libpython, which a program that
// does not link libpython cannot refer to.
PyObject* none();

}  // namespace tcpflow::scanners::python_api
