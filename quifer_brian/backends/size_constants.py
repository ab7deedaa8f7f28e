"""Sizes out of the code objects' text: a new population size recompiles three units.

Brian2 writes the size of a group into every code object that touches it, as a local
constant (``const size_t _numv = 4000;``, ``const int64_t N = 4000;``, ``N_pre``,
``_n_sources``...).  Changing ``n_e`` therefore changes the text of about thirty of a
PING's fifty translation units, and :mod:`.incremental` can reuse none of their object
files.  :func:`externalize_sizes` rewrites each such line of ``code_objects/*.cpp``
into the same constant initialised from a global,

``const size_t _numv = ::_quifer_size_<unit>__numv_0;``

declared ``extern`` at the top of that file and defined, with its value, in one
generated unit, ``quifer_sizes.cpp`` (added to the makefile).  A code object's text then
no longer depends on the sizes: only ``quifer_sizes.cpp``, ``objects.cpp`` (Brian2's
array allocations) and what else really changed are compiled.

The program computes the same thing: each constant has the value Brian2 gave it, only
read at run time instead of folded in by the compiler; the results are bit for bit
those of the project as Brian2 generated it (tested).  The lines rewritten are exactly
the integer constants whose names Brian2's templates use for sizes, counts and offsets
(:data:`SIZE_NAMES`); every other line is left as generated.
"""

import os
import re

__all__ = ["SIZES_UNIT", "SIZE_NAMES", "externalize_sizes"]

#: The generated unit that defines the sizes' values.
SIZES_UNIT = "quifer_sizes.cpp"

#: Names of the integer constants rewritten: array sizes (``_num<var>``), group sizes
#: (``N``, ``N_pre``, ``N_post``), synapse-creation ranges and subgroup offsets.  Not
#: ``_num_source_neurons``: a population-rate monitor divides by it once per step, and
#: with ``-ffast-math`` a division by a literal is compiled as a multiplication by its
#: rounded reciprocal, so its rates would move by an ulp (spikes do not depend on it).
SIZE_NAMES = (
    r"_num(?!_source_neurons\b)\w+|N|N_pre|N_post|_n_sources|_n_targets"
    r"|_source_(?:start|stop|offset)|_target_(?:start|stop|offset)"
)

_CONSTANT = re.compile(
    rf"^(?P<indent>[ \t]*)const (?P<type>size_t|int64_t|int32_t|int) "
    rf"(?P<name>{SIZE_NAMES}) = (?P<value>-?\d+);[ \t]*$",
    re.MULTILINE,
)
_HEADER = (
    "// quifer_brian: sizes read from quifer_sizes.cpp (backends/size_constants.py)\n"
    "#include <stddef.h>\n#include <stdint.h>\n"
)


def externalize_sizes(folder: str) -> int:
    """Rewrite the size constants of ``folder``'s code objects; return how many.

    Parameters
    ----------
    folder : str
        A generated cpp_standalone project, not yet compiled (its makefile lists the
        sources in ``SRCS``).  Rewritten in place: the code objects, the makefile's
        ``SRCS`` (``quifer_sizes.cpp`` added) and the new unit.  A project already
        rewritten, or with no size constant, is left as it is.

    Returns
    -------
    int
        The number of constants now read from ``quifer_sizes.cpp``.
    """
    makefile = os.path.join(folder, "makefile")
    with open(makefile, encoding="utf-8") as stream:
        make_text = stream.read()
    sources = _makefile_sources(make_text)
    if SIZES_UNIT in sources:
        return 0
    definitions = []
    for name in sources:
        if name.startswith("code_objects/") and name.endswith(".cpp"):
            definitions.extend(_rewrite_unit(os.path.join(folder, name)))
    if not definitions:
        return 0
    with open(os.path.join(folder, SIZES_UNIT), "w", encoding="utf-8") as stream:
        stream.write(_HEADER)
        stream.writelines(
            f"extern const {kind} {symbol} = {value};\n" for kind, symbol, value in definitions
        )
    make_text = re.sub(
        r"^(SRCS = .*)$", rf"\1 {SIZES_UNIT}", make_text, count=1, flags=re.MULTILINE
    )
    with open(makefile, "w", encoding="utf-8") as stream:
        stream.write(make_text)
    return len(definitions)


def _makefile_sources(text):
    found = re.search(r"^SRCS = (.*)$", text, flags=re.MULTILINE)
    if found is None:
        raise ValueError("externalize_sizes: the makefile has no 'SRCS = ...' line")
    return found.group(1).split()


def _rewrite_unit(path):
    """Rewrite one code object; return ``[(type, symbol, value)]`` of its constants."""
    with open(path, encoding="utf-8") as stream:
        text = stream.read()
    unit = re.sub(r"\W", "_", os.path.splitext(os.path.basename(path))[0])
    seen: dict[str, int] = {}
    definitions = []

    def external(match):
        name = match["name"]
        symbol = f"_quifer_size_{unit}__{name}_{seen.setdefault(name, 0)}"
        seen[name] += 1
        definitions.append((match["type"], symbol, match["value"]))
        return f"{match['indent']}const {match['type']} {name} = ::{symbol};"

    text = _CONSTANT.sub(external, text)
    if not definitions:
        return []
    declarations = "".join(f"extern const {kind} {symbol};\n" for kind, symbol, _ in definitions)
    with open(path, "w", encoding="utf-8") as stream:
        stream.write(_HEADER + declarations + text)
    return definitions
