"""``python -m quifer_brian.cli``: the ``quifer-brian`` command."""

import sys

from .main import main

if __name__ == "__main__":  # importing the module (the API reference does) runs nothing
    sys.exit(main())
