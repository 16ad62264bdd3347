"""ISO 4217 minor units shipped with the product.

Rounding a money amount needs the number of digits after the decimal point of its currency
(domain.md §2). Upstream may override or extend this table with its optional `currencies`
table; every load rebuilds `upstream.currency_minor_units` from both. A currency in neither
is unknown and the rows that use it are quarantined (`unknown_currency`).
"""

from __future__ import annotations

from types import MappingProxyType

_TWO = (
    "AED ARS AUD BDT BGN BRL CAD CHF CNY COP CZK DKK DOP DZD EGP EUR GBP GEL GHS HKD HUF IDR "
    "ILS INR KES KZT LKR MAD MXN MYR NGN NOK NZD PEN PHP PKR PLN QAR RON RSD RUB SAR SEK SGD "
    "THB TRY TWD UAH USD ZAR"
)
_ZERO = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF"
_THREE = "BHD IQD JOD KWD LYD OMR TND"
_FOUR = "CLF UYW"

#: currency code -> number of minor-unit digits (read-only).
ISO_4217_MINOR_UNITS: MappingProxyType[str, int] = MappingProxyType(
    {code: units for codes, units in ((_TWO, 2), (_ZERO, 0), (_THREE, 3), (_FOUR, 4))
     for code in codes.split()}
)


def effective_minor_units(overrides: dict[str, int] | None = None) -> dict[str, int]:
    """The shipped table, overridden or extended by upstream's `currencies` rows."""
    return {**ISO_4217_MINOR_UNITS, **(overrides or {})}
