"""``python -m bench.loadtest``: see :mod:`bench.loadtest.run`."""

import sys

from bench.loadtest.run import main

sys.exit(main())
