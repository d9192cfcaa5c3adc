"""A layer's field alternative names as the venv's GDAL reads them: pyogrio has no call for
them, but GDAL puts them in the Arrow schema of the layer (``GDAL:OGR:alternative_name``),
which pyogrio's ``open_arrow`` hands over as an Arrow C stream — read here with ctypes."""

from __future__ import annotations

import ctypes
import struct
from pathlib import Path

from pyogrio.raw import open_arrow


class _Schema(ctypes.Structure):
    pass


_Schema._fields_ = [("format", ctypes.c_char_p), ("name", ctypes.c_char_p),
                    ("metadata", ctypes.c_void_p), ("flags", ctypes.c_int64),
                    ("n_children", ctypes.c_int64),
                    ("children", ctypes.POINTER(ctypes.POINTER(_Schema))),
                    ("dictionary", ctypes.c_void_p), ("release", ctypes.c_void_p),
                    ("private_data", ctypes.c_void_p)]


class _Stream(ctypes.Structure):
    _fields_ = [("get_schema", ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p,
                                                ctypes.POINTER(_Schema))),
                ("get_next", ctypes.c_void_p), ("get_last_error", ctypes.c_void_p),
                ("release", ctypes.CFUNCTYPE(None, ctypes.c_void_p)),
                ("private_data", ctypes.c_void_p)]


def _metadata(ptr: int | None) -> dict[str, str]:
    if not ptr:
        return {}
    (n,) = struct.unpack("<i", ctypes.string_at(ptr, 4))
    off, out = 4, {}
    for _ in range(n):
        (kl,) = struct.unpack("<i", ctypes.string_at(ptr + off, 4))
        key = ctypes.string_at(ptr + off + 4, kl).decode()
        off += 4 + kl
        (vl,) = struct.unpack("<i", ctypes.string_at(ptr + off, 4))
        out[key] = ctypes.string_at(ptr + off + 4, vl).decode()
        off += 4 + vl
    return out


def alternative_names(path: Path, layer: str) -> dict[str, str]:
    """{field: alternative name} of the fields that have one."""
    get = ctypes.pythonapi.PyCapsule_GetPointer
    get.restype, get.argtypes = ctypes.c_void_p, [ctypes.py_object, ctypes.c_char_p]
    with open_arrow(path, layer=layer, use_pyarrow=False) as (_meta, reader):
        capsule = reader.__arrow_c_stream__()
        stream = _Stream.from_address(get(capsule, b"arrow_array_stream"))
        schema = _Schema()
        assert stream.get_schema(ctypes.addressof(stream), ctypes.byref(schema)) == 0
        out = {}
        for i in range(schema.n_children):
            child = schema.children[i].contents
            alt = _metadata(child.metadata).get("GDAL:OGR:alternative_name")
            if alt:
                out[child.name.decode()] = alt
        return out
