"""Entry point of ``python -m bench``."""

from .run import main

raise SystemExit(main())
