"""The `quifer-brian` command, through main(argv)."""

import pytest

from quifer_brian import __version__
from quifer_brian.cli import main


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"quifer-brian {__version__}"


def test_devices_prints_a_row_per_backend(capsys):
    assert main(["devices"]) == 0
    lines = capsys.readouterr().out.splitlines()
    names = [line.split()[0] for line in lines[2:]]
    assert names == ["numpy", "cython", "cpp_standalone", "cuda_standalone"]


def test_fi_curve_compares_simulation_with_theory(monkeypatch, capsys):
    # Restrict the demo to numpy here; the other backends are covered by their own tests.
    from quifer_brian import devices

    statuses = [s for s in devices.backend_status() if s.name == "numpy"]
    monkeypatch.setattr(devices, "backend_status", lambda: statuses)
    assert main(["fi-curve", "--quick"]) == 0
    out = capsys.readouterr().out
    assert "OK: every backend within 1% of theory" in out
    assert "0.30    63.04" in out  # the closed-form rate at 0.3 nA


def test_without_a_command_prints_help_and_fails(capsys):
    assert main([]) == 2
    assert "usage: quifer-brian" in capsys.readouterr().out


def test_unknown_command_exits_2(capsys):
    assert main(["fly"]) == 2
    assert "invalid choice: 'fly'" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv", [["fi-curve", "--fast"], ["devices", "extra"], ["demo", "--backend", "gpu"]]
)
def test_bad_arguments_exit_2(argv, capsys):
    assert main(argv) == 2
    assert "error:" in capsys.readouterr().err
