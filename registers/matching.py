"""Matching of output streams and input needs: candidate pairs within a park and its
neighbours, ranked by category, quantity fit and distance, with the reason in words. A
candidate becomes a proposed exchange through :func:`registers.services.
exchange_propose_from_candidate`."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd
from django.utils.translation import gettext as _

from common.formats import format_quantity
from enterprises.models import Park
from enterprises.policy import Action, matchable, restrict

from .models import Stream, SymbiosisExchange

#: default search radius of matching, km (same park is 0 km)
MATCH_RADIUS_KM = 50.0
#: weights of the matching score (category, quantity fit, nearness); they add up to 1
MATCH_WEIGHTS = {"category": 0.5, "quantity": 0.3, "distance": 0.2}


def haversine_km(lat1, lon1, lat2, lon2):
    """Great-circle distance in km on a sphere of radius 6371.0088 km (mean Earth radius,
    IUGG); works on floats or numpy arrays (degrees)."""
    r = 6371.0088
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(lon2) - np.radians(lon1)
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * r * np.arcsin(np.sqrt(a))


@dataclass
class Candidate:
    """A proposed pairing of an output stream with an input need.

    ``score`` 0–1 = 0.5 × category (1 same category, 0.5 same group) + 0.3 × quantity fit
    (smaller / larger of the two yearly quantities in the same unit; 0.5 when one is not
    given; 0 when the units measure different things) + 0.2 × (1 − distance / radius);
    ``reason`` says why, in the active language."""

    output: Stream
    input: Stream
    distance_km: float
    category_score: float
    quantity_score: float
    score: float
    reason: str


def match_candidates(
    *, user, park: Park, radius_km: float = MATCH_RADIUS_KM, limit: int = 50
) -> list[Candidate]:
    """Candidate pairs (output stream → input need) involving at least one stream the user
    may see in ``park``, with the other side in the same park or a park within ``radius_km``
    (haversine between park coordinates; a park without coordinates matches only itself).
    Ranked by :attr:`Candidate.score`, best first; pairs already turned into an exchange that
    has not ended are left out. One query for parks, one for streams, one for exchanges.
    """
    park_rows = pd.DataFrame(
        list(Park.objects.values_list("pk", "latitude", "longitude")),
        columns=["park", "lat", "lon"],
    ).set_index("park")
    park_rows = park_rows.astype("float64")
    here = park_rows.loc[park.pk] if park.pk in park_rows.index else None
    if here is not None and not np.isnan(here["lat"]):
        dist = haversine_km(here["lat"], here["lon"], park_rows["lat"], park_rows["lon"])
        near = set(park_rows.index[(dist <= radius_km).to_numpy()]) | {park.pk}
    else:
        near = {park.pk}
    own = set(
        restrict(Stream.objects.filter(enterprise__park=park), user, Action.VIEW).values_list(
            "pk", flat=True
        )
    )
    if not own:
        return []
    streams = {
        s.pk: s
        for s in matchable(
            Stream.objects.filter(active=True, enterprise__park_id__in=near), user
        ).select_related("enterprise__park")
    }
    frame = pd.DataFrame(
        [
            (
                s.pk,
                s.direction,
                s.category,
                Stream.GROUPS[s.category],
                s.enterprise_id,
                s.enterprise.park_id,
                float(s.quantity_per_year) if s.quantity_per_year is not None else np.nan,
                s.unit,
            )
            for s in streams.values()
        ],
        columns=["id", "direction", "category", "group", "enterprise", "park", "qty", "unit"],
    )
    outs = frame[frame["direction"] == "output"]
    ins = frame[frame["direction"] == "input"]
    pairs = outs.merge(ins, on="group", suffixes=("_o", "_i"))
    pairs = pairs[pairs["enterprise_o"] != pairs["enterprise_i"]]
    pairs = pairs[(pairs["id_o"].isin(own)) | (pairs["id_i"].isin(own))]
    pairs = pairs[(pairs["group"] != "other") | (pairs["category_o"] == pairs["category_i"])]
    taken = set(
        SymbiosisExchange.objects.exclude(status=SymbiosisExchange.Status.ENDED)
        .filter(source_output__isnull=False, source_input__isnull=False)
        .values_list("source_output_id", "source_input_id")
    )
    if taken:
        keys = list(zip(pairs["id_o"], pairs["id_i"], strict=True))
        pairs = pairs[[k not in taken for k in keys]]
    if pairs.empty:
        return []
    lat_o = park_rows["lat"].reindex(pairs["park_o"]).to_numpy()
    lon_o = park_rows["lon"].reindex(pairs["park_o"]).to_numpy()
    lat_i = park_rows["lat"].reindex(pairs["park_i"]).to_numpy()
    lon_i = park_rows["lon"].reindex(pairs["park_i"]).to_numpy()
    same_park = (pairs["park_o"] == pairs["park_i"]).to_numpy()
    distance = np.where(same_park, 0.0, haversine_km(lat_o, lon_o, lat_i, lon_i))
    pairs = pairs.assign(distance=distance)
    pairs = pairs[pairs["distance"].notna() & (pairs["distance"] <= radius_km)]
    if pairs.empty:
        return []
    cat = np.where(pairs["category_o"] == pairs["category_i"], 1.0, 0.5)
    both = pairs["qty_o"].notna() & pairs["qty_i"].notna()
    same_unit = pairs["unit_o"] == pairs["unit_i"]
    lo = np.minimum(pairs["qty_o"], pairs["qty_i"])
    hi = np.maximum(pairs["qty_o"], pairs["qty_i"])
    fit = np.where(hi > 0, lo / hi.where(hi > 0, 1.0), 1.0)
    qty = np.select([~both, both & ~same_unit], [0.5, 0.0], default=fit)
    near_score = 1.0 - pairs["distance"].to_numpy() / radius_km
    w = MATCH_WEIGHTS
    score = w["category"] * cat + w["quantity"] * qty + w["distance"] * near_score
    pairs = pairs.assign(cat=cat, qty=qty, score=score).sort_values(
        ["score", "cat", "qty", "distance", "id_o", "id_i"],
        ascending=[False, False, False, True, True, True],
    )
    result = []
    for row in pairs.head(limit).itertuples(index=False):
        out, need = streams[int(row.id_o)], streams[int(row.id_i)]
        result.append(
            Candidate(
                output=out,
                input=need,
                distance_km=round(float(row.distance), 1),
                category_score=float(row.cat),
                quantity_score=round(float(row.qty), 3),
                score=round(float(row.score), 3),
                reason=_match_reason(
                    out, need, float(row.cat), float(row.qty), float(row.distance)
                ),
            )
        )
    return result


def _quantity_text(value: Decimal | None, unit: str) -> str:
    if value is None:
        return _("quantity not given")
    return format_quantity(value, f"{unit}/{_('year')}".lstrip("/"))


def _match_reason(out: Stream, need: Stream, cat: float, qty: float, km: float) -> str:
    parts = []
    if cat == 1.0:
        parts.append(_("same category (%(c)s)") % {"c": out.get_category_display()})
    else:
        parts.append(
            _("related categories (%(a)s → %(b)s)")
            % {"a": out.get_category_display(), "b": need.get_category_display()}
        )
    o_q = _quantity_text(out.quantity_per_year, out.unit)
    i_q = _quantity_text(need.quantity_per_year, need.unit)
    if out.quantity_per_year is None or need.quantity_per_year is None:
        parts.append(_("offered %(o)s, needed %(i)s") % {"o": o_q, "i": i_q})
    elif out.unit != need.unit:
        parts.append(_("units not comparable (%(o)s vs %(i)s)") % {"o": o_q, "i": i_q})
    else:
        parts.append(
            _("offered %(o)s covers %(pct)s%% of the need %(i)s")
            % {
                "o": o_q,
                "i": i_q,
                "pct": round(
                    100 * min(1.0, float(out.quantity_per_year) / float(need.quantity_per_year))
                )
                if need.quantity_per_year
                else 100,
            }
        )
    if out.enterprise.park_id == need.enterprise.park_id:
        parts.append(_("same park"))
    else:
        parts.append(_("%(km)s km apart") % {"km": f"{km:.1f}"})
    return "; ".join(parts)
