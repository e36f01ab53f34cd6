"""`python -m scorer`: the `scorer` command line."""

import sys

from scorer.cli import main

sys.exit(main())
