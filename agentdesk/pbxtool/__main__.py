"""`python -m agentdesk.pbxtool` (what pbx/run runs): the bundled PBX's command line."""

import sys

from .cli import main

sys.exit(main())
