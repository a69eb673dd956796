"""python -m agentdesk.desktop: the desktop (same as the `agentdesk` command)."""

import sys

from .cli import main

sys.exit(main())
