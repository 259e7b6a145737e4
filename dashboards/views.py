"""Dashboard pages: the list of parks and a park's progress toward the national criteria.

Dashboards read snapshots only; a request never recomputes (DESIGN.md §3).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from enterprises.models import Role
from enterprises.policy import scope_of, visible_parks
from surveys.models import Campaign

from .figures import category_share_figure
from .selectors import park_dashboard, parks_with_latest_scores


@login_required
def home(request):
    """Send each role to its starting page: park managers and enterprises to their park's
    dashboard, reviewers to the list of parks."""
    scope = scope_of(request.user)
    if scope is None:
        return render(request, "dashboards/no_scope.html", status=403)
    if scope.role == Role.PARK_MANAGER:
        return redirect("dashboards:park", pk=scope.park_id)
    if scope.role == Role.ENTERPRISE:
        return redirect("surveys:responses")
    return redirect("dashboards:parks")


@login_required
def park_list(request):
    """Every park in scope with its province and latest result."""
    parks = parks_with_latest_scores(request.user)
    return render(request, "dashboards/park_list.html", {"parks": parks})


@login_required
def park_detail(request, pk: int):
    """A park's criteria for one campaign (``?campaign=<id>``, default the latest): value,
    threshold, state and legal source, with the share met per category as a chart."""
    park = get_object_or_404(visible_parks(request.user).select_related("province"), pk=pk)
    campaign_id = request.GET.get("campaign")
    try:
        data = park_dashboard(park=park, campaign_id=int(campaign_id) if campaign_id else None)
    except (ValueError, Campaign.DoesNotExist):
        raise Http404 from None
    figure = category_share_figure(data.categories) if data.categories else None
    return render(request, "dashboards/park_detail.html", {"d": data, "figure": figure})
