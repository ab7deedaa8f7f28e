"""The fast path's own reading of ``quifer-brian run`` (cli/fast.py, issue 17).

It reads a command line without argparse; whatever it reads, and would run, must be
read the same by the full parser (argparse, Brian2's registries): checked here on
thousands of generated command lines, plain and odd.  Anything else goes to the full
parser, which then gives its own messages.
"""

import random

import pytest

from quifer_brian.cli.fast import read_run_argv
from quifer_brian.cli.main import build_parser

_TOKENS = [
    "run", "ping", "brunel", "list", "--param", "n_e=40", "tau_gaba=5ms", "--param=n_i=10",
    "--duration", "200ms", "--duration=1s", "--seed", "3", "-1", "--seed=7", " 12", "+5",
    "1_000", "4294967295", "4294967296", "--out", "out", "--out=o2", "--backend",
    "cpp_standalone", "numpy", "--backend=cpp_standalone", "--no-cache", "--cache-dir",
    "/tmp", "--cache-dir=/c", "--quiet", "--traceback", "-h", "--help", "--dur", "--par",
    "--", "-", "--version", "--no-cache=1", "", "x y", "-x", "--seed=-3", "--out=",
]  # fmt: skip
_FIELDS = ("network", "param", "duration", "backend", "seed", "out", "no_cache", "cache_dir")


def _argvs(count, seed=17):
    draw = random.Random(seed)
    for _ in range(count):
        if draw.random() < 0.5:  # anything at all
            yield [draw.choice(_TOKENS) for _ in range(draw.randint(0, 9))]
        else:  # a run with its options in any order, a few odd words mixed in
            options = [
                ["--param", draw.choice(["n_e=40", "tau_gaba=5ms", "a=-1"])],
                ["--duration", draw.choice(["200ms", "1s", "-5ms"])],
                ["--seed", draw.choice(["0", "3", "-1", "4294967295", "4294967296", "x"])],
                ["--out=" + draw.choice(["o", "-o", ""])],
                ["--backend", draw.choice(["cpp_standalone", "numpy", "cuda_standalone"])],
                ["--cache-dir", "/tmp"],
                [draw.choice(["--no-cache", "--help", "--dur", "1s", "--quiet"])],
            ]
            chosen = [o for o in options if draw.random() < 0.4] + [["ping"]]
            draw.shuffle(chosen)
            flags = draw.sample(["--quiet", "--traceback"], draw.randint(0, 2))
            yield [*flags, "run", *(word for option in chosen for word in option)]


def _runs_fast(read):
    return read is not None and not read["no_cache"] and read["backend"] in (None, "cpp_standalone")


def test_what_the_fast_path_reads_the_full_parser_reads_alike(capsys):
    parser = build_parser()
    fast = 0
    for argv in _argvs(3000):
        read = read_run_argv(argv)
        if not _runs_fast(read):
            continue
        fast += 1
        try:
            full = parser.parse_args(argv)
        except SystemExit:
            pytest.fail(f"read by the fast path, refused by the full parser: {argv}")
        assert full.command == "run", argv
        assert (full.quiet, full.traceback) == (read["quiet"], read["traceback"]), argv
        for field in _FIELDS:
            assert getattr(full, field) == read[field], (argv, field)
    capsys.readouterr()  # the full parser's usage errors
    assert fast > 300, "the generated command lines exercise the fast path"


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "ping", "--dur", "1s"],  # argparse's abbreviations
        ["run", "ping", "--seed", "-1"],
        ["run", "ping", "--duration", "-5ms"],  # a value that looks like an option
        ["run", "ping", "--out"],
        ["run", "ping", "--", "x"],
        ["run", "ping", "brunel"],
        ["run", "ping", "--quiet"],  # a global option after the subcommand
        ["--quiet=1", "run", "ping"],
        ["run", "ping", "--no-cache=1"],
        ["run", "ping", "--seed", "4294967296"],
        ["run", "-h"],
        ["list", "run"],
    ],
)
def test_anything_unusual_is_left_to_the_full_parser(argv):
    assert read_run_argv(argv) is None


def test_the_plain_spellings_are_read():
    options = ["--param", "n_e=40", "--param=n_i=10", "--seed", "+5", "--out="]
    read = read_run_argv(
        ["--quiet", "run", "--duration=200ms", "ping", *options, "--backend", "cpp_standalone"]
    )
    assert read == {
        "quiet": True,
        "traceback": False,
        "no_cache": False,
        "network": "ping",
        "param": ["n_e=40", "n_i=10"],
        "duration": "200ms",
        "backend": "cpp_standalone",
        "seed": 5,
        "out": "",
        "cache_dir": None,
    }
