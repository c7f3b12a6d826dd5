"""``python -m bench.scaleout``: see :mod:`bench.scaleout.run`."""

import sys

from bench.scaleout.run import main

sys.exit(main())
