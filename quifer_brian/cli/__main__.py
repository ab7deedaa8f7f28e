"""``python -m quifer_brian.cli``: the ``quifer-brian`` command."""

import sys

from .main import main

sys.exit(main())
