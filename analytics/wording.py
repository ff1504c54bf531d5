"""English wording shared by the package's messages."""

from __future__ import annotations


def counted(n: int, noun: str, plural: str | None = None, *, thousands: bool = False) -> str:
    """Return n with noun in the number that fits it ("1 row", "2 rows"; plural: noun + "s")."""
    number = f"{n:,}" if thousands else str(n)
    return f"{number} {noun if n == 1 else (plural or f'{noun}s')}"
