"""The compiler Brian2 tests its optimisation flags with (backends/toolchain.py).

On a Python built with a compiler that is not installed (this project's CI machine runs
such a build: clang named, only gcc present), Brian2 dropped every flag and compiled each
standalone program at -O0 without a word.  These tests fail if that comes back.
"""

import shutil
import sysconfig
from pathlib import Path

import pytest
from brian2 import Network, ms

from quifer_brian.backends import backend_session, toolchain
from quifer_brian.backends.toolchain import python_compiler, use_installed_compiler
from quifer_brian.equations import lif

needs_gcc = pytest.mark.skipif(
    not (shutil.which("gcc") and shutil.which("g++")), reason="gcc/g++ not installed"
)


def _python_built_with(monkeypatch, compiler):
    monkeypatch.setattr(toolchain, "python_compiler", lambda: compiler)


def test_python_s_compiler_is_read_as_sysconfig_reads_it(monkeypatch):
    # read from sysconfig's build-time data module without sysconfig (the fast path's
    # start-up): the same text, and sysconfig's answer where that module is not found
    assert python_compiler() == sysconfig.get_config_var("CC")
    monkeypatch.setenv("_PYTHON_SYSCONFIGDATA_NAME", "_no_such_sysconfigdata_module")
    real = sysconfig.get_config_var
    monkeypatch.setattr(
        sysconfig, "get_config_var", lambda name: "cc-7" if name == "CC" else real(name)
    )
    assert python_compiler() == "cc-7"


@needs_gcc
def test_a_missing_python_compiler_is_replaced_by_an_installed_one(monkeypatch):
    monkeypatch.delenv("CC", raising=False)
    monkeypatch.delenv("CXX", raising=False)
    _python_built_with(monkeypatch, "no-such-compiler-1b7 -pthread")
    assert use_installed_compiler() == {"CC": "gcc", "CXX": "g++"}
    assert use_installed_compiler() == {}, "a second call changes nothing"


@needs_gcc
def test_a_chosen_cxx_is_kept_when_only_cc_is_filled_in(monkeypatch):
    monkeypatch.delenv("CC", raising=False)
    monkeypatch.setenv("CXX", "my-g++")
    _python_built_with(monkeypatch, "no-such-compiler-1b7")
    assert use_installed_compiler() == {"CC": "gcc"}


def test_the_users_choice_and_an_installed_python_compiler_are_left_alone(monkeypatch):
    monkeypatch.setenv("CC", "my-cc")
    _python_built_with(monkeypatch, "no-such-compiler-1b7")
    assert use_installed_compiler() == {}
    monkeypatch.delenv("CC")
    monkeypatch.delenv("CXX", raising=False)
    _python_built_with(monkeypatch, "sh -c")  # a program that exists everywhere
    assert use_installed_compiler() == {}


@needs_gcc
@pytest.mark.standalone
def test_the_generated_makefile_compiles_with_optimisation(tmp_path, monkeypatch):
    # whatever compiler this Python names, the project must be built with -O3
    monkeypatch.delenv("CC", raising=False)
    monkeypatch.delenv("CXX", raising=False)
    with backend_session(
        "cpp_standalone", directory=str(tmp_path), stop_after="generate"
    ) as session:
        session.run(Network(lif.group(2)), 1 * ms)
    makefile = Path(tmp_path, "makefile").read_text()
    (flags,) = [line for line in makefile.splitlines() if line.startswith("OPTIMISATIONS")]
    assert "-O3" in flags.split(), flags
