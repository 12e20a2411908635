"""Run the m4compat command as `python -m m4compat`.

DESCRIPTION
    Same as the `m4compat` console script; messages use the program name
    "m4compat".
"""

from __future__ import annotations

import sys

from m4compat.cli import main

sys.exit(main(program="m4compat"))
