"""Units of measure for eco-industrial-park indicators.

Every indicator value is stored in the canonical unit of its *dimension* (see
``CANONICAL``); the unit a user or an import file gave is converted on the way in
with :func:`to_canonical`. Values cross this module's boundary as ``Decimal``.

Dimensions, canonical unit first, then the other accepted spellings:

========== ========= ===================================================
dimension  canonical also accepted
========== ========= ===================================================
energy     kWh       MWh, GWh, MJ, GJ, TJ, toe
volume     m³        m3, L, l (litre), ML (megalitre)
mass       t         tonne, kg
emissions  tCO2e     t CO2e, kgCO2e, kg CO2e
money      VND       million VND (triệu đồng, the forms' unit: 10^6 VND);
                     USD (only with an explicit exchange rate, see below)
percent    %         percent
count      ""        (no other spelling; e.g. number of symbioses)
========== ========= ===================================================

Design notes
------------
* Conversion factors come from pint (its default definitions, evaluated in
  ``Decimal`` through ``UnitRegistry(non_int_type=Decimal)``), not from tables
  kept here. The only definitions added are the CO2-equivalent units, which pint
  lacks.
* ``toe`` (tonne of oil equivalent) is pint's ``tonne_of_oil_equivalent =
  1e10 international_calorie`` = 10^7 kcal(IT) = **41.868 GJ**, which is the IEA
  definition (IEA/OECD/Eurostat, *Energy Statistics Manual*, 2005, Annex 3
  "Units and conversion equivalents": 1 toe = 10^7 kcal = 41.868 GJ). Hence
  1 toe = 41.868 GJ / 3.6 MJ/kWh = 11 630 kWh; a test pins this.
* Emissions are a separate base dimension (``[emissions]``), not a plain mass:
  tonnes of CO2e can never be mixed up with tonnes of waste or of product.
* Symbols are matched exactly (after trimming surrounding whitespace) against a
  closed list: case matters because it carries SI prefixes (``MWh`` is a
  megawatt-hour, ``mWh`` would be a milliwatt-hour; ``ML`` is a megalitre,
  ``ml`` a millilitre), so no case-folding or free-form pint parsing is done.
* Money keeps its currency. VND, million VND (the unit of the Circular 05/2025 forms,
  a fixed factor of 10^6 VND) and USD are accepted, but there is no fixed factor between
  VND and USD: converting needs a *dated* exchange rate, which only the
  caller knows. :func:`convert` / :func:`to_canonical` therefore raise
  ``UnitError(code="no_rate")`` for USD↔VND unless ``rate`` (VND per 1 USD) is
  passed. A ``rate`` given where no currency conversion happens is ignored.
* Percent and count are distinct dimensions, although both are dimensionless to
  pint: a fraction such as ``0.125`` (count) is never turned into ``12.5 %``.
* Results of a real conversion are rounded to ``SIGNIFICANT_DIGITS`` (15)
  significant digits, half-even, with trailing zeros dropped and no positive
  exponent (1 GJ -> ``Decimal("277.777777777778")`` kWh; 1 MWh ->
  ``Decimal("1000")``, not ``Decimal("1E+3")``). A value already in the target
  unit is returned unchanged, never rounded.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal, InvalidOperation, localcontext

import pint

__all__ = [
    "CANONICAL",
    "SIGNIFICANT_DIGITS",
    "UnitError",
    "convert",
    "dimension_of",
    "symbol_of",
    "to_canonical",
    "units_for",
]

#: Significant digits kept in the result of a conversion.
SIGNIFICANT_DIGITS = 15

# Precision for the arithmetic itself (pint's factors and the multiplication),
# comfortably above SIGNIFICANT_DIGITS so that only the final rounding matters.
_WORKING_PRECISION = 34


class UnitError(ValueError):
    """A unit, dimension, value or exchange rate that cannot be used.

    Attributes:
        code: stable machine-readable reason, for the UI to translate:
            ``"unknown_unit"``      the symbol is not in the accepted list;
            ``"unknown_dimension"`` the dimension name is not a key of ``CANONICAL``;
            ``"wrong_dimension"``   the unit measures something else than expected;
            ``"no_rate"``           a currency conversion was asked without ``rate``;
            ``"invalid_rate"``      ``rate`` is not a finite number > 0;
            ``"invalid_value"``     the value is NaN or infinite.
        unit: the offending unit symbol as given (``None`` when not about a unit).
        expected: the dimension that was expected, for ``wrong_dimension``
            (``None`` otherwise).
        message: English explanation naming the unit; also ``str(error)``.
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        unit: str | None = None,
        expected: str | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.unit = unit
        self.expected = expected


@dataclass(frozen=True)
class _Unit:
    symbol: str  # spelling shown to users
    dimension: str
    pint_unit: pint.Unit | None  # None: dimension has no factor-based conversion


_UREG = pint.UnitRegistry(non_int_type=Decimal)
# pint has no CO2-equivalent units: give emissions a base dimension of their own.
_UREG.define("tonne_CO2e = [emissions] = tCO2e")
_UREG.define("kilogram_CO2e = 0.001 * tonne_CO2e = kgCO2e")

# (symbol shown to users, dimension, pint unit or None, other accepted spellings).
# Within a dimension the first row is the canonical unit; the order is the order
# a unit picker offers.
_TABLE: tuple[tuple[str, str, str | None, tuple[str, ...]], ...] = (
    ("kWh", "energy", "kilowatt_hour", ()),
    ("MWh", "energy", "megawatt_hour", ()),
    ("GWh", "energy", "gigawatt_hour", ()),
    ("MJ", "energy", "megajoule", ()),
    ("GJ", "energy", "gigajoule", ()),
    ("TJ", "energy", "terajoule", ()),
    ("toe", "energy", "tonne_of_oil_equivalent", ()),
    ("m³", "volume", "meter ** 3", ("m3",)),
    ("L", "volume", "liter", ("l",)),
    ("ML", "volume", "megaliter", ()),
    ("t", "mass", "metric_ton", ("tonne",)),
    ("kg", "mass", "kilogram", ()),
    ("tCO2e", "emissions", "tonne_CO2e", ("t CO2e",)),
    ("kgCO2e", "emissions", "kilogram_CO2e", ("kg CO2e",)),
    ("VND", "money", None, ("đồng",)),
    ("million VND", "money", None, ("triệu đồng", "triệu VND", "tr.đ")),
    ("USD", "money", None, ()),
    ("%", "percent", None, ("percent",)),
    ("", "count", None, ()),
)

_BY_SPELLING: dict[str, _Unit] = {}
_OFFERED: dict[str, list[str]] = {}
for _symbol, _dimension, _pint_name, _aliases in _TABLE:
    _unit = _Unit(_symbol, _dimension, _UREG.Unit(_pint_name) if _pint_name else None)
    for _spelling in (_symbol, *_aliases):
        _BY_SPELLING[_spelling] = _unit
    _OFFERED.setdefault(_dimension, []).append(_symbol)

#: Dimension name -> canonical unit symbol, as shown to users and stored.
CANONICAL: dict[str, str] = {dimension: symbols[0] for dimension, symbols in _OFFERED.items()}


#: A unit as the Circular 05/2025 forms write it (``docs/forms.md``; the ``unit`` of the items
#: in ``indicators/data/forms/*.yaml`` and the production units of
#: ``surveys.models.ProductionLine.Unit``) -> its English label. Labels only: the stored unit
#: and the Vietnamese display stay as the Circular writes them. A unit not listed (``kWh``,
#: ``m³``, ``ha``, ``%``, the ecopark symbols) reads the same in both languages.
UNIT_LABELS_EN: dict[str, str] = {
    "tấn/năm": "tonnes/year",
    "triệu đồng": "million VND",
    "m³/năm": "m³/year",
    "m/năm": "m/year",
    "m²/năm": "m²/year",
    "m³/giờ": "m³/hour",
    "cộng sinh": "symbioses",
    "doanh nghiệp": "enterprises",
    "giải pháp": "solutions",
    "mạng lưới": "networks",
}


def unit_label(unit: str, language: str = "vi") -> str:
    """The label of ``unit`` shown on a page or document in ``language`` (``"vi"`` or
    ``"en"``): ``unit_label("tấn/năm", "en") == "tonnes/year"``; in Vietnamese, or for a unit
    :data:`UNIT_LABELS_EN` does not list, the unit as it is (``""`` stays ``""``)."""
    if language.startswith("en"):
        return UNIT_LABELS_EN.get(unit, unit)
    return unit


#: (a form's unit, another unit its field's picker offers) -> the label of that unit in
#: Vietnamese and English, written like the form's unit. The picker of a field the form writes
#: in "tấn/năm" (stored in tCO2e or t) offers kgCO2e or kg: the same yearly quantity, so it
#: reads "kg/năm" beside "tấn/năm", not the bare symbol "kgCO2e".
PICKER_LABELS: dict[tuple[str, str], tuple[str, str]] = {
    ("tấn/năm", "kgCO2e"): ("kg/năm", "kg/year"),
    ("tấn/năm", "kg"): ("kg/năm", "kg/year"),
    ("m³/năm", "L"): ("L/năm", "L/year"),
    ("m³/năm", "ML"): ("ML/năm", "ML/year"),
    ("triệu đồng", "VND"): ("đồng", "VND"),
}


def picker_label(unit: str, form_unit: str, store_unit: str, language: str = "vi") -> str:
    """The label of ``unit`` (a symbol of :func:`units_for`) in the unit picker of a field the
    form writes in ``form_unit`` and ecopark stores in ``store_unit``, in ``language``: the
    stored unit reads as the form's unit (:func:`unit_label`), another unit as
    :data:`PICKER_LABELS` writes it, else its symbol. E.g. ``picker_label("kgCO2e", "tấn/năm",
    "tCO2e") == "kg/năm"``, ``picker_label("tCO2e", "tấn/năm", "tCO2e", "en") ==
    "tonnes/year"``, ``picker_label("MWh", "kWh", "kWh") == "MWh"``."""
    if unit == store_unit and form_unit:
        return unit_label(form_unit, language)
    labels = PICKER_LABELS.get((form_unit, unit))
    if labels is None:
        return unit
    return labels[1] if language.startswith("en") else labels[0]


def _show(symbol: str) -> str:
    """Quote a unit symbol for a message; the count unit "" reads as "(no unit)"."""
    return f'"{symbol}"' if symbol else "(no unit)"


def _lookup(unit: str) -> _Unit:
    spec = _BY_SPELLING.get(unit.strip()) if isinstance(unit, str) else None
    if spec is None:
        accepted = ", ".join(_show(s) for s in _BY_SPELLING)
        raise UnitError(
            "unknown_unit",
            f"Unknown unit {_show(unit) if isinstance(unit, str) else repr(unit)}. "
            f"Accepted units: {accepted}.",
            unit=unit,
        )
    return spec


def _check_dimension(dimension: str) -> None:
    if dimension not in CANONICAL:
        raise UnitError(
            "unknown_dimension",
            f'Unknown dimension "{dimension}". Known dimensions: {", ".join(CANONICAL)}.',
        )


def _wrong_dimension(unit: str, spec: _Unit, expected: str) -> UnitError:
    offered = ", ".join(_show(s) for s in _OFFERED[expected])
    return UnitError(
        "wrong_dimension",
        f"{_show(unit.strip())} is a unit of {spec.dimension}, but a unit of {expected} "
        f"was expected ({offered}).",
        unit=unit,
        expected=expected,
    )


def _to_decimal(value: Decimal | int | float) -> Decimal:
    """Decimal of a Decimal, int or float (float read through str(), so 0.1 -> 0.1)."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise UnitError("invalid_value", f"{value} is not a finite number.")
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"expected a Decimal, int or float value, got {type(value).__name__}")
    if isinstance(value, numbers.Integral):  # also numpy integers
        return Decimal(int(value))
    number = float(value)
    if not math.isfinite(number):
        raise UnitError("invalid_value", f"{value!r} is not a finite number.")
    return Decimal(str(number))


def _round(value: Decimal) -> Decimal:
    """Round to SIGNIFICANT_DIGITS, drop trailing zeros, and avoid a positive exponent."""
    if value.is_zero():
        return Decimal(0)
    narrow = Context(prec=SIGNIFICANT_DIGITS + 2, rounding=ROUND_HALF_EVEN)
    step = Decimal(1).scaleb(value.adjusted() - (SIGNIFICANT_DIGITS - 1))
    value = value.quantize(step, context=narrow).normalize(narrow)
    if value.as_tuple().exponent > 0:  # e.g. 1E+3 -> 1000
        wide = Context(prec=value.adjusted() + 1)
        value = value.quantize(Decimal(1), context=wide)
    return value


#: VND per unit of the Vietnamese-currency money units (fixed factors, no rate needed)
_VND_PER = {"VND": Decimal(1), "million VND": Decimal(10) ** 6}


def _convert_money(value: Decimal, source: _Unit, target: _Unit, rate: object) -> Decimal:
    if source.symbol in _VND_PER and target.symbol in _VND_PER:
        with localcontext(Context(prec=_WORKING_PRECISION)):
            result = value * _VND_PER[source.symbol] / _VND_PER[target.symbol]
        return _round(result)
    vnd = _BY_SPELLING["VND"]
    if source.symbol in _VND_PER and source.symbol != "VND":  # million VND → VND → USD
        return _convert_money(_convert_money(value, source, vnd, None), vnd, target, rate)
    if target.symbol in _VND_PER and target.symbol != "VND":  # USD → VND → million VND
        return _convert_money(_convert_money(value, source, vnd, rate), vnd, target, None)
    if rate is None:
        raise UnitError(
            "no_rate",
            f"Cannot convert {source.symbol} to {target.symbol} without an exchange rate: "
            "money keeps its currency unless a dated rate (VND per 1 USD) is given.",
            unit=source.symbol,
        )
    try:
        rate_value = _to_decimal(rate)  # type: ignore[arg-type]
    except (TypeError, UnitError):
        rate_value = None
    if rate_value is None or rate_value <= 0:
        raise UnitError(
            "invalid_rate",
            f"Exchange rate {rate!r} is not usable: expected a number of VND per 1 USD, "
            "greater than zero.",
            unit=source.symbol,
        )
    with localcontext(Context(prec=_WORKING_PRECISION)):
        result = value * rate_value if source.symbol == "USD" else value / rate_value
    return _round(result)


def dimension_of(unit: str) -> str:
    """Return the dimension a unit symbol measures.

    Args:
        unit: a symbol from the accepted list (surrounding whitespace ignored,
            case significant), e.g. ``"MWh"`` -> ``"energy"``, ``"m3"`` ->
            ``"volume"``, ``""`` -> ``"count"``.

    Returns:
        One of the keys of ``CANONICAL``.

    Raises:
        UnitError: code ``"unknown_unit"`` if the symbol is not accepted.
    """
    return _lookup(unit).dimension


def symbol_of(unit: str) -> str:
    """Return the symbol shown to users for an accepted spelling: ``"m3"`` -> ``"m³"``,
    ``"l"`` -> ``"L"``, ``"tonne"`` -> ``"t"``; a symbol is returned as it is.

    Raises:
        UnitError: code ``"unknown_unit"`` if the spelling is not accepted.
    """
    return _lookup(unit).symbol


def units_for(dimension: str) -> list[str]:
    """Return the unit symbols a unit picker offers for a dimension, canonical first.

    Alternative spellings of the same unit (``"m3"``, ``"l"``, ``"tonne"``,
    ``"percent"``, ...) are accepted on input but not offered here.

    Args:
        dimension: a key of ``CANONICAL``, e.g. ``"energy"``.

    Returns:
        A new list, e.g. ``["kWh", "MWh", "GWh", "MJ", "GJ", "TJ", "toe"]``.

    Raises:
        UnitError: code ``"unknown_dimension"``.
    """
    _check_dimension(dimension)
    return list(_OFFERED[dimension])


def convert(
    value: Decimal | int | float,
    from_unit: str,
    to_unit: str,
    *,
    rate: Decimal | int | float | None = None,
) -> Decimal:
    """Convert a value between two units of the same dimension.

    Args:
        value: the magnitude in ``from_unit``; a float is read through ``str()``
            (``0.1`` -> ``Decimal("0.1")``).
        from_unit, to_unit: accepted unit symbols (see the module docstring).
        rate: VND per 1 USD, required only to convert between VND and USD
            (USD -> VND multiplies, VND -> USD divides); ignored otherwise.

    Returns:
        The magnitude in ``to_unit``. Unchanged if both symbols name the same
        unit; otherwise rounded to ``SIGNIFICANT_DIGITS`` significant digits.

    Raises:
        UnitError: ``"unknown_unit"``; ``"wrong_dimension"`` if the units measure
            different things (``unit`` is ``from_unit``, ``expected`` the
            dimension of ``to_unit``); ``"no_rate"`` / ``"invalid_rate"`` for a
            currency conversion; ``"invalid_value"`` for NaN or infinity.
        TypeError: ``value`` is not a Decimal, int or float.
    """
    source = _lookup(from_unit)
    target = _lookup(to_unit)
    if source.dimension != target.dimension:
        raise _wrong_dimension(from_unit, source, target.dimension)
    number = _to_decimal(value)
    if source.symbol == target.symbol:
        return number
    if source.dimension == "money":
        return _convert_money(number, source, target, rate)
    with localcontext(Context(prec=_WORKING_PRECISION)):
        magnitude = _UREG.Quantity(number, source.pint_unit).to(target.pint_unit).magnitude
    try:
        return _round(Decimal(magnitude))
    except InvalidOperation as exc:  # pragma: no cover - pint returned something odd
        raise UnitError("invalid_value", f"Cannot convert {value!r} {from_unit}.") from exc


def to_canonical(
    value: Decimal | int | float,
    unit: str,
    *,
    dimension: str | None = None,
    rate: Decimal | int | float | None = None,
) -> tuple[Decimal, str]:
    """Convert a value to the canonical unit of its dimension.

    Args:
        value: the magnitude in ``unit``.
        unit: an accepted unit symbol.
        dimension: if given, ``unit`` must measure this dimension (a key of
            ``CANONICAL``); use it to check what a form or import column expects.
        rate: VND per 1 USD; required when ``unit`` is ``"USD"``.

    Returns:
        ``(magnitude in the canonical unit, canonical symbol)``, e.g.
        ``to_canonical(Decimal("1"), "MWh")`` -> ``(Decimal("1000"), "kWh")``.

    Raises:
        UnitError: ``"unknown_unit"``, ``"unknown_dimension"``,
            ``"wrong_dimension"`` (``unit`` is the unit given, ``expected`` the
            dimension asked for), ``"no_rate"``, ``"invalid_rate"``,
            ``"invalid_value"``.
        TypeError: ``value`` is not a Decimal, int or float.
    """
    spec = _lookup(unit)
    if dimension is not None:
        _check_dimension(dimension)
        if spec.dimension != dimension:
            raise _wrong_dimension(unit, spec, dimension)
    canonical = CANONICAL[spec.dimension]
    return convert(value, spec.symbol, canonical, rate=rate), canonical
