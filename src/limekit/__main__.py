"""``python -m limekit``: the same as the ``limekit`` command."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
