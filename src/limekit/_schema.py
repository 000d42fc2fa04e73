"""Validation of serialized explanations before anything is built from them.

``Explanation.from_dict`` / ``from_json`` may read data from anywhere (a file, a web
request), so every field is checked here first — type, finiteness, index range, length,
size — and every failure is a ``ValueError`` that names the field, never an
``IndexError`` later in a renderer. Sizes are bounded before work is done on them: the
JSON text, its nesting depth, and compressed arrays, which are decompressed with a limit
derived from their declared shape so a small payload cannot expand into gigabytes.
"""

from __future__ import annotations

import base64
import binascii
import math
import zlib
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["SchemaError", "MAX_JSON_CHARS", "MAX_DEPTH", "MAX_ARRAY_BYTES", "Reader",
           "check_depth", "check_plain", "decode_array"]

#: Largest JSON text :meth:`Explanation.from_json` reads (characters).
MAX_JSON_CHARS = 512 * 2**20
#: Deepest nesting of lists and objects accepted anywhere in a document.
MAX_DEPTH = 64
#: Largest decoded array (bytes) an image explanation may declare.
MAX_ARRAY_BYTES = 1 * 2**30
#: Largest count (features, samples, labels) read as an int.
MAX_COUNT = 2**53


class SchemaError(ValueError):
    """Serialized explanation data that is not valid (a ``ValueError``)."""


def check_depth(value: Any, where: str = "the explanation", limit: int = MAX_DEPTH) -> None:
    """Raise :class:`SchemaError` when lists/objects nest deeper than ``limit``."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (list, tuple, dict)):
            if depth > limit:
                raise SchemaError(f"{where} nests lists or objects more than {limit} deep")
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)


def check_plain(value: Any, where: str) -> None:
    """Raise :class:`SchemaError` unless ``value`` is plain JSON with finite numbers.

    Free-form parts of an explanation (``settings``, a surrogate's ``details``, extra
    diagnostics) are kept as they are, so they must be what :meth:`to_json` can write
    back: strings, finite numbers, booleans, null, lists, and objects with string keys.
    """
    stack = [(value, where)]
    while stack:
        item, at = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            raise SchemaError(f"{at} must be finite, got {item!r}")
        if isinstance(item, dict):
            for key, child in item.items():
                if not isinstance(key, str):
                    raise SchemaError(f"{at} has a non-string key {key!r}")
                stack.append((child, f"{at}.{key}"))
        elif isinstance(item, (list, tuple)):
            stack.extend((child, f"{at}[{i}]") for i, child in enumerate(item))
        elif not (item is None or isinstance(item, (str, bool, int, float))):
            raise SchemaError(f"{at} holds a {type(item).__name__}, not JSON data")


class Reader:
    """Typed access to one JSON object, with errors that name the field's path."""

    def __init__(self, data: Any, path: str) -> None:
        if not isinstance(data, Mapping):
            raise SchemaError(f"{path} must be a JSON object, got {_kind(data)}")
        self.data, self.path = data, path

    def _at(self, key: str) -> str:
        return f"{self.path}.{key}"

    def has(self, key: str) -> bool:
        return key in self.data and self.data[key] is not None

    def raw(self, key: str, default: Any = None, required: bool = False) -> Any:
        if key not in self.data or (required and self.data[key] is None):
            if required:
                raise SchemaError(f"{self._at(key)} is missing")
            return default
        return self.data[key]

    def obj(self, key: str, required: bool = False) -> Reader | None:
        value = self.raw(key, None, required)
        return None if value is None else Reader(value, self._at(key))

    def string(self, key: str, default: str | None = None, required: bool = False,
               choices: tuple[str, ...] | None = None) -> str | None:
        value = self.raw(key, default, required)
        if value is None:
            return None
        if not isinstance(value, str):
            raise SchemaError(f"{self._at(key)} must be a string, got {_kind(value)}")
        if choices is not None and value not in choices:
            raise SchemaError(f"{self._at(key)} must be one of {choices}, got {value!r}")
        return value

    def integer(self, key: str, default: int | None = None, required: bool = False,
                low: int = 0, high: int = MAX_COUNT) -> int | None:
        value = self.raw(key, default, required)
        return None if value is None else as_int(value, self._at(key), low, high)

    def number(self, key: str, default: float | None = None, required: bool = False
               ) -> float | None:
        value = self.raw(key, default, required)
        return None if value is None else as_float(value, self._at(key))

    def strings(self, key: str, required: bool = False, length: int | None = None
                ) -> tuple[str, ...] | None:
        value = self.raw(key, None, required)
        if value is None:
            return None
        items = as_list(value, self._at(key), length)
        for i, item in enumerate(items):
            if not isinstance(item, str):
                raise SchemaError(f"{self._at(key)}[{i}] must be a string, got {_kind(item)}")
        return tuple(items)

    def numbers(self, key: str, required: bool = False, length: int | None = None
                ) -> tuple[float, ...] | None:
        value = self.raw(key, None, required)
        if value is None:
            return None
        items = as_list(value, self._at(key), length)
        return tuple(as_float(v, f"{self._at(key)}[{i}]") for i, v in enumerate(items))


def as_list(value: Any, where: str, length: int | None = None) -> list:
    if not isinstance(value, (list, tuple)):
        raise SchemaError(f"{where} must be a list, got {_kind(value)}")
    if length is not None and len(value) != length:
        raise SchemaError(f"{where} has {len(value)} entries, expected {length}")
    return list(value)


def as_int(value: Any, where: str, low: int = 0, high: int = MAX_COUNT) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SchemaError(f"{where} must be an integer, got {_kind(value)}")
    if isinstance(value, float):
        if not math.isfinite(value) or value != int(value):
            raise SchemaError(f"{where} must be an integer, got {value!r}")
        value = int(value)
    if not low <= value <= high:
        raise SchemaError(f"{where} must be between {low} and {high}, got {value}")
    return int(value)


def as_float(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SchemaError(f"{where} must be a number, got {_kind(value)}")
    try:
        out = float(value)
    except OverflowError:
        raise SchemaError(f"{where} is too large: {value!r}") from None
    if not math.isfinite(out):
        raise SchemaError(f"{where} must be finite, got {value!r}")
    return out


def decode_array(spec: Any, where: str, dtypes: str = "uif", max_bytes: int = MAX_ARRAY_BYTES
                 ) -> np.ndarray:
    """An array written as ``{dtype, shape, data: base64(zlib(bytes))}``, checked and bounded.

    The declared shape fixes the decoded size before anything is decompressed, and the
    decompression stops one byte past it, so a payload that expands further is refused
    without ever being expanded.
    """
    r = Reader(spec, where)
    try:
        dtype = np.dtype(r.string("dtype", required=True))
    except TypeError:
        raise SchemaError(f"{where}.dtype is not a NumPy dtype: {spec.get('dtype')!r}") from None
    if dtype.kind not in dtypes or dtype.hasobject or dtype.itemsize > 16:
        raise SchemaError(f"{where}.dtype must be a plain numeric dtype, got {dtype}")
    shape = tuple(as_int(s, f"{where}.shape[{i}]", 0, 2**31)
                  for i, s in enumerate(as_list(r.raw("shape", required=True), f"{where}.shape")))
    if len(shape) > 4:
        raise SchemaError(f"{where}.shape has {len(shape)} dimensions, at most 4 are allowed")
    nbytes = int(np.prod(shape, dtype=object)) * dtype.itemsize
    if nbytes > max_bytes:
        raise SchemaError(f"{where} declares {nbytes} bytes, more than the {max_bytes} allowed")
    data = r.string("data", required=True)
    try:
        packed = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise SchemaError(f"{where}.data is not valid base64") from None
    inflate = zlib.decompressobj()
    try:
        raw = inflate.decompress(packed, nbytes + 1)
    except zlib.error as exc:
        raise SchemaError(f"{where}.data is not valid zlib data ({exc})") from None
    if len(raw) != nbytes or inflate.unconsumed_tail or not inflate.eof:
        raise SchemaError(f"{where}.data does not hold exactly the {nbytes} bytes its dtype and "
                          f"shape declare")
    out = np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
    if dtype.kind == "f" and not np.isfinite(out).all():
        raise SchemaError(f"{where} holds NaN or infinite values")
    return out


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__
