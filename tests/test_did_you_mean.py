"""Every lookup of a name says "did you mean" in the same words (errors.did_you_mean)."""

import pytest

from quifer_brian.analysis import get_band, get_metric
from quifer_brian.backends import check_backend
from quifer_brian.cli.main import main
from quifer_brian.equations import get_model, lif
from quifer_brian.errors import QuiferError, did_you_mean
from quifer_brian.networks import build_network, get_network


def test_the_helper_names_close_names_ignores_case_and_is_empty_when_none_is_close():
    assert did_you_mean("tau_gab", ["tau_gaba", "tau_ampa", "n_e"]) == (
        "did you mean 'tau_gaba' or 'tau_ampa'? "
    )
    assert did_you_mean("PING", ["ping", "ing"]) == "did you mean 'ping' or 'ing'? "
    assert did_you_mean("zzz", ["ping", "ing"]) == ""
    assert did_you_mean(None, ["ping"]) == ""


@pytest.mark.parametrize(
    ("lookup", "expected"),
    [
        (lambda: get_model("adx"), "unknown model 'adx'; did you mean 'adex'? valid models"),
        (lambda: get_network("brunell"), "did you mean 'brunel'? the networks are"),
        (lambda: get_network("Ping"), "did you mean 'ping'"),
        (lambda: build_network("ping", {"tau_gab": 1}), "did you mean 'tau_gaba'"),
        (lambda: get_network("ping")(tau_gab=1), "no parameter 'tau_gab'; did you mean 'tau_gaba'"),
        (lambda: lif.check_params({"V_thr": 1}), "did you mean 'V_th'? its parameters"),
        (lambda: check_backend("cpp"), "did you mean 'cpp_standalone'"),
        (lambda: get_band("gama"), "did you mean 'gamma'? the named bands"),
        (lambda: get_metric("gama"), "unknown metric 'gama'; did you mean 'gamma'?"),
    ],
)
def test_library_lookups_suggest_the_closest_name(lookup, expected):
    with pytest.raises(QuiferError) as info:
        lookup()
    assert expected in str(info.value)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["lsit"], "invalid choice: 'lsit'"),
        (["list", "wang_buzaki"], "did you mean 'wang_buzsaki'?"),
        (["run", "ping", "--param", "w_ei_=1nS"], "did you mean 'w_ei'"),
        (["run", "ping", "--backend", "numpi"], "did you mean 'numpy'?"),
    ],
)
def test_the_command_line_suggests_the_closest_name(argv, expected, capsys):
    assert main(argv) == 2
    error = capsys.readouterr().err
    assert expected in error and error.count("\n") == 1
    if argv == ["lsit"]:
        assert "did you mean 'list'?" in error
