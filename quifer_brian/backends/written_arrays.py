"""A compiled program writes back only the arrays its reader asks for.

At its end a Brian2 standalone program writes *every* array to its results folder
(``_write_arrays`` in ``objects.cpp``): for a 4000 + 1000 PING that is 95 MB, nearly all
of it the 6.1 M synapses' indices and weights, of which a rerun through the build cache
reads none -- it reads the monitors named in the program's manifest.  At 61 M synapses
it is about 1 GB per run, written and deleted again at every point of a sweep.

:func:`limit_written_arrays` puts each array's block of ``_write_arrays`` under a test,
``_quifer_write("<file name>")``: true when the environment variable
:data:`WRITE_ONLY_VARIABLE` is unset (the program then writes everything, as Brian2's
does: someone who runs ``main`` by hand gets every file), else true only for the file
names it lists, separated by ``:``.  :class:`~quifer_brian.backends.CompiledProgram`
sets it to the manifest's files.  The spike queues' states (text, up to 20 MB for that
PING when a volley is in flight at the end) are files like the arrays; the random
generator's state, ``last_run_info.txt`` and ``profiling_info.txt`` are written as
before, and a block the rewrite does not recognise is left unguarded (written), never
dropped.
"""

import os
import re

__all__ = ["WRITE_ONLY_VARIABLE", "limit_written_arrays"]

#: The environment variable that lists, ``:``-separated, the array files to write.
WRITE_ONLY_VARIABLE = "QUIFER_BRIAN_WRITE_ONLY"

_MARK = "// quifer_brian: arrays written on request (backends/written_arrays.py)"
_TEST = f"""{_MARK}
#include <cstdlib>
#include <cstring>
static bool _quifer_write(const char* name)
{{
    static const char* only = std::getenv("{WRITE_ONLY_VARIABLE}");
    if (only == 0)
        return true;
    const size_t length = std::strlen(name);
    for (const char* at = only; (at = std::strstr(at, name)) != 0; at += length)
    {{
        const bool starts = at == only || at[-1] == ':';
        const bool ends = at[length] == ':' || at[length] == '\\0';
        if (starts && ends)
            return true;
    }}
    return false;
}}
"""
# One block of Brian2 2.10's _write_arrays -- an array (static, dynamic, 2-D) or a spike
# queue's state -- from its ofstream to the closing brace of the error branch.
_BLOCK = re.compile(
    r"^(?P<indent>[ \t]*)ofstream outfile_(?P<var>\w+);\n"
    r"(?P=indent)outfile_(?P=var)\.open\(results_dir \+ \"(?P<file>[^\"]+)\", [^\n]*\);\n"
    r"(?P=indent)if ?\(outfile_(?P=var)\.is_open\(\)\)(?: \{)?\n"
    r".*?"
    r"\n(?P=indent)\} else(?: \{|\n(?P=indent)\{)\n"
    r"[ \t]*std::cout << \"Error writing [^\n]*\n"
    r"(?P=indent)\}\n",
    re.MULTILINE | re.DOTALL,
)


#: Files written whatever is asked (small, and read by Brian2's own tools).
_ALWAYS = ("profiling_info.txt",)


def limit_written_arrays(folder: str) -> int:
    """Guard the array writes of ``folder``'s ``objects.cpp``; return how many.

    Parameters
    ----------
    folder : str
        A generated cpp_standalone project, not yet compiled.  ``objects.cpp`` is
        rewritten in place (left as it is when already rewritten or absent).

    Returns
    -------
    int
        The number of files (arrays, spike queues) whose writing now depends on
        :data:`WRITE_ONLY_VARIABLE`.
    """
    path = os.path.join(folder, "objects.cpp")
    if not os.path.isfile(path):
        return 0
    with open(path, encoding="utf-8") as stream:
        text = stream.read()
    if _MARK in text:
        return 0
    start = text.find("void _write_arrays()")
    if start < 0:
        return 0
    end = text.find("\n}\n", start)
    body = text[start:end]
    guarded = 0

    def guard(match):
        nonlocal guarded
        if match["file"] in _ALWAYS:
            return match[0]
        guarded += 1
        indent = match["indent"]
        inner = "".join(f"    {line}" if line else line for line in match[0].splitlines(True))
        return f'{indent}if (_quifer_write("{match["file"]}"))\n{indent}{{\n{inner}{indent}}}\n'

    body = _BLOCK.sub(guard, body)
    if not guarded:
        return 0
    with open(path, "w", encoding="utf-8") as stream:
        stream.write(_TEST + text[:start] + body + text[end:])
    return guarded
