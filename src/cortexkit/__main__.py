import sys

from cortexkit.cli import main

sys.exit(main())
