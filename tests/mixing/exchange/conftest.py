"""Makes the exchange test helpers (tests/mixing/exchange/exchange_helpers.py) importable; provides ``song``."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from exchange_helpers import song  # noqa: F401  (the fixture)
