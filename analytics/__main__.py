"""Entry point of `python -m analytics`."""

import signal
import sys

from analytics.cli import main

# Piped into `head`, the command stops quietly like other command-line tools.
signal.signal(signal.SIGPIPE, signal.SIG_DFL)
sys.exit(main())
