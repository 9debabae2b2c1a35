"""Release identifiers: ISRC (ISO 3901) per recording and the catalog number (UPC-A / EAN-13, GS1 check digit).

An ISRC is 12 characters, often written with hyphens as CC-XXX-YY-NNNNN: a 2-letter country code, a 3-character
registrant code (letters or digits), the 2-digit year of reference and a 5-digit designation code.
A UPC-A has 12 digits, an EAN-13 13; the last digit is the GS1 check digit (weights 3 and 1 from the right).
Each check returns the normalised code or a one-line reason it is not valid.
"""

from __future__ import annotations

import re

_ISRC = re.compile(r"^[A-Z]{2}[A-Z0-9]{3}[0-9]{7}$")


def normalise_isrc(text: object) -> str:
    """The ISRC without hyphens or spaces, upper case; ValueError with the reason if it is not of the right form."""
    raw = str(text).strip()
    code = raw.replace("-", "").replace(" ", "").upper()
    if len(code) != 12:
        raise ValueError(f"ISRC {raw!r} has {len(code)} characters without hyphens; an ISRC has 12 (CC-XXX-YY-NNNNN)")
    if not _ISRC.match(code):
        raise ValueError(f"ISRC {raw!r} is not of the form CC-XXX-YY-NNNNN (2 letters, 3 letters or digits, "
                         "2-digit year, 5 digits)")
    return code


def gs1_check_digit(digits: str) -> int:
    """The GS1 check digit for ``digits`` (the code without its last digit): weights 3,1,3,... from the right."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return (10 - total % 10) % 10


def normalise_catalog(text: object) -> str:
    """A UPC-A (12 digits) or EAN-13 (13 digits) with a correct check digit; ValueError with the reason otherwise."""
    raw = str(text).strip()
    code = raw.replace(" ", "").replace("-", "")
    if not code.isdigit() or len(code) not in (12, 13):
        raise ValueError(f"catalog {raw!r} is not a UPC (12 digits) or EAN (13 digits)")
    want = gs1_check_digit(code[:-1])
    if int(code[-1]) != want:
        raise ValueError(f"catalog {raw!r}: the check digit is {code[-1]} but should be {want} (GS1 checksum)")
    return code
