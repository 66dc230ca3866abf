"""_lib.py: loads libbogie.so with ctypes and declares the part of its C API (include/bogie.h) that the package uses:
the service (bogie_service_open, bogie_service_handle, bogie_service_close), whose answers are the JSON of
docs/api.md, so that the package depends on no C struct but bogie_service_options and bogie_response."""
import ctypes
import ctypes.util
import os

_HERE = os.path.dirname(os.path.abspath(__file__))


class Diag(ctypes.Structure):
    """bogie_diag: a status and the sentence that says what went wrong."""
    _fields_ = [("status", ctypes.c_int), ("message", ctypes.c_char * 1024)]


class ServiceOptions(ctypes.Structure):
    """bogie_service_options, field for field (include/bogie.h)."""
    _fields_ = [
        ("network_path", ctypes.c_char_p),
        ("data_dir", ctypes.c_char_p),
        ("web_dir", ctypes.c_char_p),
        ("max_via", ctypes.c_size_t),
        ("max_table", ctypes.c_size_t),
        ("max_uri", ctypes.c_size_t),
        ("time_limit_s", ctypes.c_double),
        ("cache_bytes", ctypes.c_size_t),
        ("prepare", ctypes.c_bool),
        ("alloc", ctypes.c_void_p),
        ("train_files", ctypes.POINTER(ctypes.c_char_p)),
        ("n_train_files", ctypes.c_size_t),
    ]


class Response(ctypes.Structure):
    """bogie_response: the HTTP status, content type and body (malloc'ed, freed with free())."""
    _fields_ = [
        ("status", ctypes.c_int),
        ("content_type", ctypes.c_char_p),
        ("body", ctypes.c_void_p),
        ("length", ctypes.c_size_t),
        ("from_cache", ctypes.c_bool),
        ("disposition", ctypes.c_char_p),
    ]


def _candidates():
    """Where libbogie.so.0 may be, in order: $BOGIE_LIBRARY, the source tree's build folder (when the package is run
    from python/ in a clone), the system's library path."""
    env = os.environ.get("BOGIE_LIBRARY")
    if env:
        yield env
        return
    path = os.path.normpath(os.path.join(_HERE, "..", "..", "build", "libbogie.so.0"))
    if os.path.exists(path):
        yield path
    found = ctypes.util.find_library("bogie")
    if found:
        yield found
    yield "libbogie.so.0"


def load():
    """Returns the loaded library with its functions' types declared; raises OSError naming every place tried."""
    tried = []
    for path in _candidates():
        try:
            lib = ctypes.CDLL(path)
            break
        except OSError as e:
            tried.append("%s (%s)" % (path, e))
    else:
        raise OSError("libbogie.so.0 not found: tried " + "; ".join(tried) +
                      "; set BOGIE_LIBRARY to its path, or `make install`")
    lib.bogie_service_options_init.argtypes = [ctypes.POINTER(ServiceOptions)]
    lib.bogie_service_options_init.restype = None
    lib.bogie_service_open.argtypes = [ctypes.POINTER(ServiceOptions), ctypes.POINTER(ctypes.c_void_p),
                                       ctypes.POINTER(Diag)]
    lib.bogie_service_open.restype = ctypes.c_int
    lib.bogie_service_close.argtypes = [ctypes.c_void_p]
    lib.bogie_service_close.restype = None
    lib.bogie_service_handle.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p,
                                         ctypes.POINTER(Response)]
    lib.bogie_service_handle.restype = None
    lib.bogie_strerror.argtypes = [ctypes.c_int]
    lib.bogie_strerror.restype = ctypes.c_char_p
    return lib


_libc = ctypes.CDLL(None)
_libc.free.argtypes = [ctypes.c_void_p]
_libc.free.restype = None


def free(ptr):
    """Frees memory the library allocated with malloc (a bogie_response's body)."""
    _libc.free(ptr)
