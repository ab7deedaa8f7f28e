#!/bin/sh
# Print the path of a Python >= 3.12 that can make a virtual environment with pip, or
# explain how to get one and exit 1.
# Order: $PYTHON, then the newest of python3.14 ... python3.12 / python3 / python on the
# PATH, then pyenv installs. Each is resolved to its real file (a venv made through a
# symlink to a relocated Python cannot find its standard library) and must import ssl and
# ensurepip (pip's bootstrap), which some distributions split off or break.
ok() {
  "$1" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null &&
    "$1" -c 'import ensurepip, ssl, venv' 2>/dev/null
}
try() {
  [ -n "$1" ] || return 1
  path=$(command -v "$1" 2>/dev/null) || return 1
  path=$(readlink -f "$path" 2>/dev/null || echo "$path")
  ok "$path" && echo "$path"
}
if [ -n "${PYTHON:-}" ]; then
  try "$PYTHON" && exit 0
  echo "error: PYTHON=$PYTHON is not a Python >= 3.12 with ssl, venv and ensurepip" >&2
  exit 1
fi
for candidate in python3.14 python3.13 python3.12 python3 python; do
  try "$candidate" && exit 0
done
for root in "${PYENV_ROOT:-}" "$HOME/.pyenv" /root/.pyenv /opt/pyenv /usr/local/pyenv; do
  [ -n "$root" ] && [ -d "$root/versions" ] || continue
  for path in $(ls -d "$root"/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do
    ok "$path" && { echo "$path"; exit 0; }
  done
done
# The Google Cloud SDK ships a full CPython 3.12 on many Debian images.
for path in /usr/lib/google-cloud-sdk/platform/bundledpythonunix/bin/python3; do
  ok "$path" && { echo "$path"; exit 0; }
done
echo "error: quifer-brian needs Python >= 3.12 with ssl, venv and ensurepip, and none was found; install one (e.g. 'apt-get install python3.12-venv', 'pyenv install 3.12' or python.org) or set PYTHON=/path/to/python3" >&2
exit 1
