"""e-prop networks on disk: weights, feedback, history and structure in one record.

The package's record format (:func:`quifer_brian.results.files.write_record`: an ``.npz`` of
arrays plus a JSON metadata record, written atomically).  Reading checks every array
header before loading (:func:`quifer_brian.results.schema.read_result_file`), then the content:
the format name, the structure, the weights' shapes against it, finite values.
"""

import math
import os

import numpy as np

from ..errors import ModelError, ResultFileError
from ..results.files import write_record
from ..results.schema import read_result_file
from .eprop_models import EpropSpec

__all__ = ["FORMAT", "FORMAT_VERSION", "read_network_file", "write_network_file"]

FORMAT = "quifer_brian.eprop_network"
FORMAT_VERSION = 1
_HISTORY = ("loss", "reg_loss", "rate")


def write_network_file(path, spec, weights, feedback, random_feedback, history):
    """Write one network to ``path`` (``.npz``), atomically; return ``path``."""
    arrays = {f"weights_{name}": np.asarray(value, dtype=float) for name, value in weights.items()}
    arrays["random_feedback"] = np.asarray(random_feedback, dtype=float)
    for name in _HISTORY:
        arrays[f"history_{name}"] = np.asarray(history.get(name, []), dtype=float)
    metadata = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "spec": spec.as_dict(),
        "feedback": feedback,
        "iterations": len(history.get("loss", [])),
    }
    return write_record(os.fspath(path), arrays, metadata)


def read_network_file(path):
    """``(spec, weights, feedback, random_feedback, history)`` read from ``path``, checked.

    Raises
    ------
    ResultFileError
        Naming the file and the field that is wrong.
    """
    path = os.fspath(path)
    arrays, metadata = read_result_file(path)

    def fail(field, problem):
        raise ResultFileError(
            f"load: {path}: {field}: {problem}. Write it again with EpropNetwork.save.",
            owner="load",
            argument=field,
        )

    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT:
        fail("format", f"is not an e-prop network file (format {FORMAT!r})")
    if metadata.get("format_version") != FORMAT_VERSION:
        fail("format_version", f"must be {FORMAT_VERSION}; got {metadata.get('format_version')!r}")
    if metadata.get("feedback") not in ("symmetric", "random"):
        fail("feedback", f"must be 'symmetric' or 'random'; got {metadata.get('feedback')!r}")
    try:
        spec = EpropSpec.from_dict(metadata.get("spec") or {})
    except (ModelError, TypeError, ValueError) as err:
        fail("spec", f"is not a valid network structure ({err})")
    shapes = {
        "weights_in": (spec.n_rec, spec.n_in),
        "weights_out": (spec.n_out, spec.n_rec),
        "random_feedback": (spec.n_rec, spec.n_out),
    }
    if spec.recurrent:
        shapes["weights_rec"] = (spec.n_rec, spec.n_rec)
    for name, shape in shapes.items():
        if name not in arrays:
            fail(name, "is missing")
        if arrays[name].shape != shape:
            fail(name, f"must have the shape {shape}; got {arrays[name].shape}")
        if not np.all(np.isfinite(arrays[name])):
            fail(name, "must be finite")
    history = {}
    for name in _HISTORY:
        values = arrays.get(f"history_{name}", np.zeros(0))
        if values.ndim != 1:
            fail(f"history_{name}", "must be 1-D")
        history[name] = [float(v) if math.isfinite(v) else math.nan for v in values]
    weights = {name[len("weights_") :]: arrays[name] for name in shapes if name.startswith("w")}
    return spec, weights, metadata["feedback"], arrays["random_feedback"], history
