"""Run the ``tapestudio`` command as ``python -m tapestudio``."""

import sys

from tapestudio.cli import main

if __name__ == "__main__":
    sys.exit(main())
