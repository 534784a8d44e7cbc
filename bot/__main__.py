"""``python -m bot`` is ``nps-bot``."""

import sys

from bot.cli import main

sys.exit(main())
