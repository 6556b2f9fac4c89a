"""Entry point of the embedded store's child process (``python -m portfolio.embedded_main``).

nx-27017 logs every command at INFO, which costs time and fills the disk; we start it with its
logger at WARNING and otherwise exactly as its own command line would.
"""

from __future__ import annotations

import logging
import sys

from nx_27017.nx_27017 import main

if __name__ == "__main__":
    logging.getLogger("nx_27017").setLevel(logging.WARNING)
    sys.argv[0] = "nx-27017"
    sys.exit(main())
