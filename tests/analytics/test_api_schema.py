"""The analytics API in the OpenAPI schema: each endpoint its own operation, named once.

The operation ids were once given to the view classes; drf-spectacular refuses that (an id
names one operation, a class may answer several methods), so `spectacular --validate
--fail-on-warn` failed. They sit on each class's GET now (analytics/api.py)."""

import pytest
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator

from analytics.figures import FIGURES, PUBLIC_FIGURES

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def test_each_analytics_endpoint_has_its_own_operation_id(schema):
    ids = {path: operations["get"]["operationId"]
           for path, operations in schema["paths"].items()
           if path.startswith("/api/v1/analytics/")}
    expected = {f"/api/v1/analytics/{k}/": f"analytics_{k}" for k in FIGURES}
    expected |= {f"/api/v1/analytics/public/{k}/": f"analytics_public_{k}"
                 for k in PUBLIC_FIGURES}
    assert ids == expected
    every_id = [operation["operationId"] for operations in schema["paths"].values()
                for operation in operations.values() if isinstance(operation, dict)]
    assert len(every_id) == len(set(every_id))


def test_each_analytics_operation_documents_its_filters_and_errors(schema):
    for key in FIGURES:
        operation = schema["paths"][f"/api/v1/analytics/{key}/"]["get"]
        assert operation["tags"] == ["analytics"]
        assert {p["name"] for p in operation["parameters"]} == {
            "fund", "round", "year", "year_from", "year_to", "agency"}
        assert {"200", "400", "401", "403"} <= set(operation["responses"])
    public = schema["paths"]["/api/v1/analytics/public/funnel/"]["get"]
    assert "401" not in public["responses"]  # anyone may ask


def test_the_schema_validates_without_a_warning(tmp_path):
    # SchemaGenerationError on any warning or error (the operation ids on classes were one).
    call_command("spectacular", "--validate", "--fail-on-warn", "--file",
                 str(tmp_path / "schema.yml"))
