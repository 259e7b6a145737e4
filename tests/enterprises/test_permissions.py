"""One permission policy for pages and API: outside your scope is 404 (default deny)."""

from django.urls import reverse

from surveys.models import Response

from ..conftest import PASSWORD


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def park_response(campaign, park):
    return Response.objects.get(campaign=campaign, park=park, enterprise__isnull=True)


def test_enterprise_cannot_read_another_parks_dashboard(client, personas, campaign_2025):
    login(client, personas.enterprise_a)
    dinh_vu = personas.catalogue.dinh_vu
    assert client.get(reverse("dashboards:park", args=[dinh_vu.pk])).status_code == 404
    assert (
        client.get(reverse("dashboards:park", args=[personas.catalogue.amata.pk])).status_code
        == 200
    )


def test_enterprise_cannot_read_another_parks_response_or_its_own_parks(
    client, personas, campaign_2025
):
    login(client, personas.enterprise_a)
    other = park_response(campaign_2025, personas.catalogue.dinh_vu)
    own_park = park_response(campaign_2025, personas.catalogue.amata)
    neighbour = Response.objects.get(campaign=campaign_2025, enterprise=personas.ent_b)
    mine = Response.objects.get(campaign=campaign_2025, enterprise=personas.ent_a)
    for response in (other, own_park, neighbour):
        assert client.get(reverse("surveys:response", args=[response.pk])).status_code == 404
    assert client.get(reverse("surveys:response", args=[mine.pk])).status_code == 200


def test_enterprise_cannot_read_another_parks_api_objects(client, personas):
    login(client, personas.enterprise_a)
    assert client.get(f"/api/v1/parks/{personas.catalogue.dinh_vu.pk}/").status_code == 404
    assert client.get(f"/api/v1/enterprises/{personas.ent_c.pk}/").status_code == 404
    assert client.get(f"/api/v1/enterprises/{personas.ent_b.pk}/").status_code == 404
    listed = client.get("/api/v1/parks/").json()
    assert [p["id"] for p in listed["results"]] == [personas.catalogue.amata.pk]
    assert (
        client.get(f"/api/v1/enterprises/{personas.ent_a.pk}/").json()["tax_code"] == "0300588569"
    )


def test_board_sees_its_province_only(client, personas, campaign_2025):
    login(client, personas.board)
    parks = client.get("/api/v1/parks/").json()
    provinces = {p["province_name"] for p in parks["results"]}
    # Đồng Nai since 1 July 2025: 18 reference parks of old Đồng Nai + 4 of Bình Phước
    assert provinces == {"Đồng Nai"} and parks["count"] == 22
    other = park_response(campaign_2025, personas.catalogue.dinh_vu)
    assert client.get(reverse("surveys:response", args=[other.pk])).status_code == 404
    assert (
        client.get(reverse("dashboards:park", args=[personas.catalogue.dinh_vu.pk])).status_code
        == 404
    )


def test_park_manager_reads_its_tenants_but_not_another_park(client, personas, campaign_2025):
    login(client, personas.park_manager)
    tenant = Response.objects.get(campaign=campaign_2025, enterprise=personas.ent_a)
    assert client.get(reverse("surveys:response", args=[tenant.pk])).status_code == 200
    assert client.get(f"/api/v1/enterprises/{personas.ent_c.pk}/").status_code == 404
    ids = {e["id"] for e in client.get("/api/v1/enterprises/").json()["results"]}
    assert ids == {personas.ent_a.pk, personas.ent_b.pk}


def test_ministry_sees_every_park(client, personas):
    login(client, personas.ministry)
    assert client.get("/api/v1/parks/").json()["count"] == 97


def test_a_user_without_scope_sees_nothing(client, catalogue, django_user_model):
    django_user_model.objects.create_user(username="nobody", password=PASSWORD)
    assert client.login(username="nobody", password=PASSWORD)
    assert client.get("/api/v1/parks/").json()["count"] == 0
    assert client.get(reverse("dashboards:park", args=[catalogue.amata.pk])).status_code == 404


def test_anonymous_api_is_refused_and_pages_redirect_to_login(client, catalogue):
    assert client.get("/api/v1/parks/").status_code in (401, 403)
    page = client.get(reverse("dashboards:park", args=[catalogue.amata.pk]))
    assert page.status_code == 302 and "/accounts/login/" in page["Location"]


def test_tenant_cannot_post_to_its_parks_response(client, personas, campaign_2025):
    login(client, personas.park_manager)
    tenant = Response.objects.get(campaign=campaign_2025, enterprise=personas.ent_a)
    r = client.post(reverse("surveys:response", args=[tenant.pk]), {"version": 1, "action": "save"})
    assert r.status_code == 403


# --- the session's user and scope ------------------------------------------------------------


def test_a_page_loads_the_user_with_its_scope_in_one_query(personas, django_assert_num_queries):
    from enterprises.backends import ScopedModelBackend
    from enterprises.policy import scope_of

    backend = ScopedModelBackend()
    with django_assert_num_queries(1):
        user = backend.get_user(personas.park_manager.pk)
        scope = scope_of(user)
        assert (user.username, scope.role, scope.park_id) == (
            "t-amata",
            "park_manager",
            personas.catalogue.amata.pk,
        )
        assert scope.user is user
        assert user.last_login is None or user.last_login.tzinfo is not None


def test_a_user_without_scope_has_none_and_an_inactive_or_unknown_user_no_session(
    personas, django_assert_num_queries
):
    from django.contrib.auth import get_user_model

    from enterprises.backends import ScopedModelBackend
    from enterprises.policy import scope_of

    backend = ScopedModelBackend()
    lost = get_user_model().objects.create_user(username="t-no-scope", password=PASSWORD)
    with django_assert_num_queries(1):
        assert scope_of(backend.get_user(lost.pk)) is None
    get_user_model().objects.filter(pk=personas.ministry.pk).update(is_active=False)
    assert backend.get_user(personas.ministry.pk) is None
    assert backend.get_user(10**9) is None
    assert backend.get_user("not-a-number") is None


def test_a_user_without_scope_is_refused_every_dashboard(client, db):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user(username="t-no-scope", password=PASSWORD)
    assert client.login(username="t-no-scope", password=PASSWORD)
    assert client.get(reverse("home")).status_code == 403
    assert client.get(reverse("dashboards:national")).status_code == 404


def test_the_scope_only_park_check_agrees_with_visible_parks(personas, client):
    from enterprises.models import Park
    from enterprises.policy import park_visible_by_scope, visible_parks

    amata, dinh_vu = personas.catalogue.amata, personas.catalogue.dinh_vu
    users = [
        personas.ministry,
        personas.board,
        personas.other_board,
        personas.park_manager,
        personas.enterprise_a,
        personas.other_enterprise,
    ]
    for user in users:
        for park in Park.objects.all():
            decided = park_visible_by_scope(user, park.pk)
            if decided is not None:
                assert decided == visible_parks(user).filter(pk=park.pk).exists(), (user, park)
    assert park_visible_by_scope(personas.ministry, dinh_vu.pk) is True
    assert park_visible_by_scope(personas.park_manager, amata.pk) is True
    assert park_visible_by_scope(personas.park_manager, dinh_vu.pk) is False
    assert park_visible_by_scope(personas.board, amata.pk) is None
    assert park_visible_by_scope(personas.enterprise_a, amata.pk) is None
    # the ministry asking for a park that does not exist: 404, not an error
    login(client, personas.ministry)
    missing = Park.objects.order_by("-pk").first().pk + 1000
    assert client.get(reverse("dashboards:park", args=[missing])).status_code == 404
    # and a park manager asking for another park: 404
    login(client, personas.park_manager)
    assert client.get(reverse("dashboards:park", args=[dinh_vu.pk])).status_code == 404
