"""Check that requirements.lock matches setup.cfg (run by `make lint`, so by CI).

The lock (``make lock``: pip-compile of setup.cfg with the extras the Makefile installs)
must

- pin every requirement of ``install_requires`` and of the installed extras with a
  version that satisfies it (``name==version`` lines only);
- have been compiled with exactly those extras (its header names them);
- hold nothing stale: every pinned package is required by setup.cfg or, following the
  lock's ``# via`` notes, by a package that is.

Usage: ``python scripts/check_lock.py --extras test,cuda,learn [--lock requirements.lock]
[--setup setup.cfg]``.  Exit status 0 when they match; 1 with one line per problem and
the fix (``make lock``) otherwise.
"""

import argparse
import configparser
import re
import sys
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

__all__ = ["check_lock", "main", "read_lock", "setup_requirements"]

ROOT = Path(__file__).resolve().parents[1]
SELF = "quifer-brian (setup.cfg)"  # how pip-compile names setup.cfg in its `via` notes


def setup_requirements(setup_cfg, extras):
    """The requirements of ``install_requires`` and the ``extras`` in ``setup_cfg``."""
    config = configparser.ConfigParser(interpolation=None)
    config.read(setup_cfg)
    lines = config.get("options", "install_requires", fallback="").splitlines()
    known = (
        dict(config.items("options.extras_require"))
        if config.has_section("options.extras_require")
        else {}
    )
    missing = [extra for extra in extras if extra not in known]
    if missing:
        raise ValueError(f"setup.cfg has no extra {', '.join(missing)}; it has {sorted(known)}")
    for extra in extras:
        lines += known[extra].splitlines()
    requirements = []
    for line in lines:
        text = line.split("#", 1)[0].strip()
        if text:
            requirements.append(Requirement(text))
    return requirements


def read_lock(lock):
    """``(pins, parents, extras)``: ``{name: Version}``, ``{name: {parent, ...}}`` from the
    ``# via`` notes, and the extras named in the header's pip-compile command."""
    pins, parents, problems = {}, {}, []
    extras = None
    current = None
    in_via = False
    for number, raw in enumerate(Path(lock).read_text().splitlines(), start=1):
        line = raw.strip()
        if line.startswith("#    pip-compile"):
            extras = sorted(re.findall(r"--extra[= ](\S+)", line))
            continue
        if not line:
            continue
        if not line.startswith("#"):
            match = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s;\\]+)(\s*;.*)?(\s*\\)?", line)
            if match is None:
                problems.append(f"{lock}:{number}: not a `name==version` pin: {line!r}")
                current = None
                continue
            current = canonicalize_name(match.group(1))
            pins[current] = Version(match.group(2))
            parents[current] = set()
            in_via = False
            continue
        note = line.lstrip("#").strip()
        if note.startswith("The following packages"):  # the unpinned "unsafe" ones
            current = None
        if current is None:
            continue
        if note.startswith("via"):
            rest = note[len("via") :].strip()
            in_via = not rest
            if rest:
                parents[current].add(rest)
        elif in_via and note:
            parents[current].add(note)
    if problems:
        raise ValueError("; ".join(problems))
    return pins, parents, extras


def _parent_name(note):
    if note == SELF or note.startswith("-r ") or note.startswith("-c "):
        return SELF
    return canonicalize_name(note.split(" ", 1)[0])


def check_lock(setup_cfg, lock, extras):
    """Problems that make ``lock`` disagree with ``setup_cfg`` and ``extras`` (a list of
    one-line texts; empty when they match)."""
    problems = []
    requirements = [
        r for r in setup_requirements(setup_cfg, extras) if r.marker is None or r.marker.evaluate()
    ]
    pins, parents, lock_extras = read_lock(lock)
    if lock_extras is not None and lock_extras != sorted(extras):
        problems.append(
            f"{lock} was compiled with the extras {lock_extras}; the Makefile installs "
            f"{sorted(extras)}"
        )
    wanted = set()
    for requirement in requirements:
        name = canonicalize_name(requirement.name)
        wanted.add(name)
        if name not in pins:
            problems.append(f"{requirement} (setup.cfg) has no pinned line in {lock}")
        elif not requirement.specifier.contains(pins[name], prereleases=True):
            problems.append(f"{requirement} (setup.cfg) is not satisfied by {name}=={pins[name]}")
    alive = set(wanted) & set(pins)
    changed = True
    while changed:  # follow the `via` notes down from what setup.cfg asks for
        changed = False
        for name, notes in parents.items():
            if name in alive:
                continue
            if any(_parent_name(note) in alive for note in notes if _parent_name(note) != SELF):
                alive.add(name)
                changed = True
    for name in sorted(set(pins) - alive):
        problems.append(
            f"{name}=={pins[name]} in {lock} is stale: nothing in setup.cfg "
            f"(install_requires, extras {','.join(extras)}) needs it"
        )
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extras", default="", help="comma-separated, as the Makefile installs")
    parser.add_argument("--lock", default=str(ROOT / "requirements.lock"))
    parser.add_argument("--setup", default=str(ROOT / "setup.cfg"))
    args = parser.parse_args(argv)
    extras = [e for e in args.extras.split(",") if e]
    try:
        problems = check_lock(args.setup, args.lock, extras)
    except (OSError, ValueError, InvalidRequirement) as err:
        problems = [str(err)]
    for problem in problems:
        print(f"check_lock: {problem}", file=sys.stderr)
    if problems:
        print("check_lock: run `make lock` and commit requirements.lock", file=sys.stderr)
        return 1
    print(f"check_lock: {args.lock} matches {args.setup} (extras {','.join(extras)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
