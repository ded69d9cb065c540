"""API errors are documented and JSON: the schema lists the error answers each operation can
give (api_common/schema_errors.py), and an address under /api/ that matches no route is a
JSON 404 (api_common/not_found.py). Both were found by the schemathesis run."""

import pytest
from django.test import override_settings
from drf_spectacular.generators import SchemaGenerator

from api_common.not_found import MESSAGE

from .conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def paths():
    return SchemaGenerator().get_schema(request=None, public=True)["paths"]


def codes(paths, path, method):
    return set(paths[path][method]["responses"])


def test_an_object_documents_not_signed_in_not_allowed_and_not_found(paths):
    for method in ("get", "put", "patch"):
        assert {"401", "403", "404"} <= codes(paths, "/api/v1/proposals/{id}/", method), method
    assert {"400"} <= codes(paths, "/api/v1/proposals/{id}/", "patch")


def test_a_list_documents_bad_filters_and_a_page_past_the_last(paths):
    assert {"200", "400", "401", "403", "404"} <= codes(paths, "/api/v1/proposals/", "get")


def test_a_post_documents_bad_input_and_a_repeat_while_running(paths):
    assert {"201", "400", "401", "403", "409"} <= codes(paths, "/api/v1/proposals/", "post")
    assert "404" not in codes(paths, "/api/v1/proposals/", "post")  # no id, no page


def test_the_token_endpoint_keeps_its_own_answers(paths):
    # Signing in needs no credentials: 401 is its own (wrong password), never a 403.
    assert "403" not in codes(paths, "/api/v1/auth/token/", "post")
    assert paths["/api/v1/auth/token/"]["post"]["responses"]["401"]["description"].startswith(
        "Wrong username or password")


def test_documented_errors_point_at_a_schema_that_exists():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    assert components["ErrorDetail"]["required"] == ["detail"]
    refs = {
        answer["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
        for operations in schema["paths"].values() for operation in operations.values()
        if isinstance(operation, dict)
        for code, answer in operation.get("responses", {}).items()
        if code >= "400" and "content" in answer
        and "$ref" in answer["content"].get("application/json", {}).get("schema", {})
    }
    assert refs and refs <= set(components)


@override_settings(DEBUG=False)
@pytest.mark.parametrize("address", [
    "/api/v1/no-such-thing/",
    "/api/v1/proposals/1.5/",          # an id that is not a whole number matches no route
    "/api/v1/rounds/%F3%96%86%8D/ranking/",
    "/api/v2/",
])
def test_an_api_address_that_matches_nothing_is_a_json_404(address, civil_servant):
    response = client_for(civil_servant).get(address)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": MESSAGE}


@override_settings(DEBUG=False)
def test_a_page_that_matches_nothing_is_still_the_page_not_found_page(client, civil_servant):
    client.force_login(civil_servant)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert "Page not found" in response.content.decode()
