"""Saving and loading results: lossless round trip, atomic writes, clear errors."""

import json
import os

import numpy as np
import pytest
from brian2 import ms, nS

import quifer_brian
from quifer_brian import units
from quifer_brian.errors import QuiferError
from quifer_brian.results import Result, files


def make_result(seed=0):
    rng = np.random.default_rng(seed)
    times = np.sort(rng.uniform(0, 1, 500))
    return Result(
        spikes={
            "E": (times, rng.integers(0, 40, 500).astype(np.int32)),
            "I": (np.array([0.1, 0.2]), np.array([0, 3], dtype=np.int32)),
        },
        sizes={"E": 40, "I": 10},
        duration=1.0,
        rates={"E": rng.uniform(0, 20, 10000)},
        rate_dt=1e-4,
        lfp=rng.normal(size=1000),
        fs=1000.0,
        states={"phase": rng.uniform(-np.pi, np.pi, 1000)},
        params={
            "tau_gaba": units.quantity_to_json(10 * ms),
            "w": units.quantity_to_json(2 * nS),
            "n_e": 40,
        },
        meta={"backend": "numpy", "seed": 7},
    )


def test_round_trip_is_lossless(tmp_path):
    original = make_result()
    path = tmp_path / "run.npz"
    original.save(path)
    loaded = quifer_brian.load(path)
    for name in original.spikes:
        for a, b in zip(original.spikes[name], loaded.spikes[name], strict=True):
            np.testing.assert_array_equal(a, b)
            assert a.dtype == b.dtype
    np.testing.assert_array_equal(loaded.lfp, original.lfp)
    np.testing.assert_array_equal(loaded.rates["E"], original.rates["E"])
    np.testing.assert_array_equal(loaded.states["phase"], original.states["phase"])
    assert loaded.sizes == original.sizes and loaded.params == original.params
    assert loaded.meta == original.meta and loaded.populations == ["E", "I"]
    assert units.quantity_from_json(loaded.params["tau_gaba"]) == 10 * ms


def test_a_crash_mid_write_leaves_the_old_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "run.npz"
    make_result(seed=1).save(path)
    before = path.read_bytes()

    def crash(stream, **arrays):
        stream.write(b"half a file")
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", crash)  # files imports numpy when writing
    with pytest.raises(KeyboardInterrupt):
        make_result(seed=2).save(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["run.npz"], "no temporary file is left"


def test_loading_something_else_says_what_is_wrong(tmp_path):
    other = tmp_path / "other.npz"
    np.savez(other, x=np.arange(3))
    with pytest.raises(QuiferError, match="is not a quifer result"):
        quifer_brian.load(other)
    with pytest.raises(QuiferError, match="cannot read"):
        quifer_brian.load(tmp_path / "missing.npz")


def test_write_json_is_atomic(tmp_path):
    """A value JSON cannot write leaves the previous file and no temporary behind."""
    from quifer_brian.results import write_json

    path = tmp_path / "summary.json"
    write_json({"rate_hz": np.float64(2.5), "peaks": np.arange(2)}, path)
    with pytest.raises(TypeError, match="not JSON serialisable"):
        write_json({"bad": object()}, path)
    assert json.loads(path.read_text()) == {"rate_hz": 2.5, "peaks": [0, 1]}
    assert os.listdir(tmp_path) == ["summary.json"]


def test_a_result_is_frozen_and_with_meta_returns_a_new_one():
    original = make_result(seed=3)
    with pytest.raises(AttributeError):
        original.duration = 2.0
    tagged = original.with_meta(build="cached")
    assert tagged.meta["build"] == "cached" and "build" not in original.meta
    assert tagged.spikes is original.spikes and tagged.duration == original.duration


# ---------------------------------------------------------------- permissions, strict JSON
@pytest.fixture
def umask_022():
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_every_written_file_honours_the_umask(tmp_path, umask_022):
    """mkstemp makes 0600 files; the writers give what open() would: 0644 under 022."""
    import matplotlib.figure

    make_result().save(tmp_path / "run.npz")
    files.write_json({"a": 1}, tmp_path / "summary.json")
    files.atomic_text(tmp_path / "table.csv", "a,b\n1,2\n")
    files.save_figure(matplotlib.figure.Figure(), tmp_path / "figure.png", dpi=20)
    modes = {p.name: oct(p.stat().st_mode & 0o777) for p in tmp_path.iterdir()}
    assert modes == dict.fromkeys(["run.npz", "summary.json", "table.csv", "figure.png"], "0o644")
    os.umask(0o077)
    files.atomic_text(tmp_path / "private.csv", "x\n")
    assert (tmp_path / "private.csv").stat().st_mode & 0o777 == 0o600


def test_json_is_strict_and_reads_back_nan_where_a_float_is_expected(tmp_path):
    path = tmp_path / "point.json"
    files.write_json({"peak_hz": float("nan"), "r": np.array([1.0, np.inf]), "n": None}, path)
    text = path.read_text()
    assert "NaN" not in text and "Infinity" not in text
    assert json.loads(text) == {"peak_hz": None, "r": [1.0, None], "n": None}
    back = files.read_json(path, float_keys=("peak_hz",))
    assert np.isnan(back["peak_hz"]) and back["n"] is None and back["r"] == [1.0, None]
    # the record inside a result file is strict too
    make_result().with_meta(score=float("nan")).save(tmp_path / "run.npz")
    with np.load(tmp_path / "run.npz") as archive:
        assert b"NaN" not in archive["metadata"].tobytes()
    assert quifer_brian.load(tmp_path / "run.npz").meta["score"] is None


def test_text_and_figures_are_written_atomically(tmp_path):
    import matplotlib.figure

    table, figure_path = tmp_path / "table.csv", tmp_path / "figure.png"
    files.atomic_text(table, "old\n")
    files.save_figure(matplotlib.figure.Figure(), figure_path, dpi=20)
    before = figure_path.read_bytes()

    class Broken(matplotlib.figure.Figure):
        def savefig(self, fname, **kwargs):
            with open(fname, "wb") as stream:
                stream.write(b"half a png")
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        files.save_figure(Broken(), figure_path)
    assert figure_path.read_bytes() == before and before.startswith(b"\x89PNG")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["figure.png", "table.csv"]
    assert table.read_text() == "old\n"


# ---------------------------------------------------------------- loading checks the schema
def _write_raw(path, arrays, metadata):
    """A result file as a hand edit would leave it (no checks on the way out)."""
    record = np.frombuffer(json.dumps(metadata).encode(), dtype=np.uint8)
    np.savez(path, metadata=record, **arrays)


def _edited(tmp_path, edit):
    path = tmp_path / "run.npz"
    make_result().save(path)
    arrays, metadata = files.read_record(path)
    edit(arrays, metadata)
    _write_raw(path, arrays, metadata)
    return path


def _set(container, key, value):
    def edit(arrays, metadata):
        (arrays if container == "arrays" else metadata)[key] = value

    return edit


def _spike_times_with(value):
    def edit(arrays, metadata):
        arrays["spikes/E/t"] = arrays["spikes/E/t"].copy()
        arrays["spikes/E/t"][3] = value

    return edit


def _meta_with(**items):
    def edit(arrays, metadata):
        metadata["meta"].update(items)

    return edit


BAD_EDITS = [
    (_spike_times_with(np.nan), r"spikes/E/t: spike times must be finite.*spike 3 is; got nan"),
    (_spike_times_with(-1.0), r"spikes/E/t: spike times must be finite and in \[0, 1\]"),
    (_spike_times_with(5.0), r"spikes/E/t: .*got 5.0"),
    (_set("arrays", "spikes/I/i", np.array([0, 10])), r"spikes/I/i: .*in \[0, 9\].*got 10"),
    (_set("arrays", "spikes/I/i", np.array([0.0, 1.0])), r"spikes/I/i: must be a 1-D integer"),
    (_set("arrays", "spikes/I/i", np.array([0])), r"spikes/I/i: must have one index per spike"),
    (_set("arrays", "spikes/I/t", np.array(["a", "b"])), r"spikes/I/t: must be a 1-D float"),
    (_set("arrays", "rates/E", np.ones((2, 2))), r"rates/E: must be a 1-D numeric array"),
    (_set("arrays", "rates/X", np.ones(3)), r"rates/X: names no population"),
    (_set("arrays", "rates/E", np.full(3, np.nan)), r"rates/E: must be finite; got '3 values'"),
    (_set("arrays", "surprise", np.ones(3)), r"surprise: is not a field of a result file"),
    (_set("metadata", "sizes", {"E": 10**12, "I": 10}), r"sizes.E: must be an integer in"),
    (_set("metadata", "sizes", {"E": True, "I": 10}), r"sizes.E: must be an integer in"),
    (_set("metadata", "sizes", {"E": 40}), r"sizes: must name exactly the populations"),
    (_set("metadata", "populations", "EI"), r"populations: must be a list of names"),
    (_set("metadata", "populations", ["E", "I", "Z"]), r"sizes: must name exactly"),
    (_set("metadata", "duration", "1 s"), r"duration: must be a number; got '1 s'"),
    (_set("metadata", "duration", -1.0), r"duration: must be finite, > 0"),
    (_set("metadata", "duration", None), r"duration: must be a number; got None"),
    (_set("metadata", "fs", 0), r"fs: must be finite, > 0"),
    (_set("metadata", "fs", None), r"fs: must be given when the file holds an LFP"),
    (_set("metadata", "meta", []), r"meta: must be a JSON object"),
    (_meta_with(complete="yes"), r"meta.complete: must be true or false; got 'yes'"),
    (_meta_with(simulated_duration_s=-2), r"meta.simulated_duration_s: must be finite"),
    (_set("metadata", "format_version", 99), r"has format_version 99"),
]


@pytest.mark.parametrize(("edit", "message"), BAD_EDITS)
def test_a_hand_edited_file_is_refused_naming_the_file_and_the_field(tmp_path, edit, message):
    from quifer_brian.errors import ResultFileError

    path = _edited(tmp_path, edit)
    with pytest.raises(ResultFileError, match=message) as caught:
        quifer_brian.load(path)
    assert str(path) in str(caught.value)


def test_optional_metadata_of_interrupted_runs_is_accepted_and_unsorted_spikes_sorted(tmp_path):
    def edit(arrays, metadata):
        arrays["spikes/E/t"], arrays["spikes/E/i"] = (
            arrays["spikes/E/t"][::-1],
            arrays["spikes/E/i"][::-1].astype(np.int64),
        )
        metadata["meta"].update(complete=False, requested_duration_s=30.0, simulated_duration_s=1.2)

    loaded = Result.load(_edited(tmp_path, edit))
    original = make_result()
    np.testing.assert_array_equal(loaded.spikes["E"][0], original.spikes["E"][0])
    assert loaded.spikes["E"][1].dtype == np.int32
    assert loaded.meta["complete"] is False and loaded.meta["simulated_duration_s"] == 1.2


def _huge_member_file(path, shape):
    import io
    import zipfile

    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": shape}
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("lfp.npy", header.getvalue() + b"\0" * 64)


def test_a_corrupt_truncated_or_crafted_file_is_refused_before_any_allocation(tmp_path):
    from quifer_brian.errors import ResultFileError

    crafted = tmp_path / "crafted.npz"
    _huge_member_file(crafted, (2**40,))  # 8 TiB declared in a 200-byte file
    with pytest.raises(ResultFileError, match=r"lfp: declares shape \(1099511627776,\)"):
        quifer_brian.load(crafted)
    good = tmp_path / "run.npz"
    make_result().save(good)
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"PK\x03\x04" + os.urandom(300))
    for path in (truncated, garbage):
        with pytest.raises(ResultFileError, match=r"cannot read .* as a result file"):
            quifer_brian.load(path)
    not_json = tmp_path / "not_json.npz"
    np.savez(not_json, metadata=np.frombuffer(b"{'format':", dtype=np.uint8))
    with pytest.raises(ResultFileError, match="metadata: not valid JSON"):
        quifer_brian.load(not_json)
    pickled = tmp_path / "pickled.npz"
    np.savez(pickled, lfp=np.array([object()], dtype=object))
    with pytest.raises(ResultFileError, match="lfp: holds Python objects"):
        quifer_brian.load(pickled)
