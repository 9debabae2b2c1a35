"""Makes the synthesized stems (tests/mixing/automix/automix_stems.py) importable."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
