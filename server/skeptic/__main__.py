"""Allow ``python -m skeptic``."""

from skeptic.cli import main

raise SystemExit(main())
