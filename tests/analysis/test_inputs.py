"""Input conversion: spike-train forms, units, results and the checks done on entry."""

from types import SimpleNamespace

import numpy as np
import pytest

from quifer_brian.analysis._inputs import (
    as_signal_and_fs,
    as_spike_times,
    as_spike_trains,
    check_f_range,
    check_fs,
)


def test_spike_train_forms_agree():
    pairs = as_spike_trains(([0.1, 0.2, 0.3], [1, 0, 1]))
    lists = as_spike_trains([[0.2], [0.1, 0.3]])
    assert pairs.n_neurons == lists.n_neurons == 2
    for a, b in zip(pairs.per_neuron(), lists.per_neuron(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_brian2_quantities_are_converted_once():
    brian2 = pytest.importorskip("brian2")
    trains = as_spike_trains(([10, 20] * brian2.ms, np.array([0, 1])))
    np.testing.assert_allclose(trains.times, [0.01, 0.02])
    assert check_fs(2 * brian2.kHz) == 2000.0
    with pytest.raises(ValueError, match="fs: expected a quantity in hertz"):
        check_fs(2 * brian2.ms)
    with pytest.raises(ValueError, match="spikes times: expected a quantity in second"):
        as_spike_trains(([1] * brian2.mV, [0]))


def test_result_object_by_duck_typing():
    spikes = {"E": (np.array([0.1, 0.2]), np.array([0, 0])), "I": (np.array([0.3]), [0])}
    result = SimpleNamespace(spikes=spikes, lfp=np.zeros(100), fs=1000.0)

    sig, fs = as_signal_and_fs(result, None)
    assert sig.size == 100 and fs == 1000.0
    with pytest.raises(ValueError, match=r"holds 2 populations .*result.spikes\['E'\]"):
        as_spike_times(result)
    assert as_spike_times(result.spikes["I"]).tolist() == [0.3]


@pytest.mark.parametrize(
    ("f_range", "match"),
    [
        ((50, 10), "f_range: range is inverted"),
        ((10, 10), "f_range: range is inverted or empty"),
        ((10, 600), "f_range: upper frequency 600 Hz is above the Nyquist frequency 500 Hz"),
        ((-1, 10), "f_range: frequencies must be finite and >= 0"),
        ((10,), r"f_range: must be a pair \(f_lo, f_hi\)"),
        (None, "f_range: a frequency range .* is required"),
    ],
)
def test_bad_f_range(f_range, match):
    with pytest.raises(ValueError, match=match):
        check_f_range(f_range, 1000.0)


def test_errors_are_analysis_errors():
    from quifer_brian.errors import AnalysisError, QuiferError

    with pytest.raises(AnalysisError) as info:
        check_fs(None)
    assert isinstance(info.value, QuiferError) and isinstance(info.value, ValueError)


def test_analysis_modules_do_not_import_brian2_at_module_level():
    """Analysis must run without Brian2: it may only be imported lazily, in a function."""
    import ast
    from pathlib import Path

    import quifer_brian.analysis as qa

    for path in Path(qa.__file__).parent.glob("*.py"):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] + [getattr(node, "module", "") or ""]
                assert not any(n.startswith("brian2") for n in names), path.name
