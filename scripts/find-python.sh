#!/bin/sh
# Print the path of a Python >= 3.12, or explain how to get one and exit 1.
# Order: $PYTHON, python3.12 / python3.13 / python3 on the PATH, then pyenv installs.
ok() { "$1" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; }
for candidate in "${PYTHON:-}" python3.12 python3.13 python3.14 python3 python; do
  [ -n "$candidate" ] || continue
  path=$(command -v "$candidate" 2>/dev/null) || continue
  if ok "$path"; then echo "$path"; exit 0; fi
done
for root in "${PYENV_ROOT:-}" "$HOME/.pyenv" /root/.pyenv /opt/pyenv /usr/local/pyenv; do
  [ -n "$root" ] && [ -d "$root/versions" ] || continue
  for path in $(ls -d "$root"/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -V); do
    if ok "$path"; then echo "$path"; exit 0; fi
  done
done
echo "error: quifer-brian needs Python >= 3.12 and none was found; install one (e.g. 'pyenv install 3.12', 'apt-get install python3.12' or python.org) or set PYTHON=/path/to/python3.12" >&2
exit 1
