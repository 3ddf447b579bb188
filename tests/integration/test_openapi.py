"""/api/openapi.json: a valid OpenAPI 3.1 document that lists exactly the app's /api routes.

The document is made from the url_map, so these tests hold it to the routes both ways (a route
missing from it, or a path it names that no route serves, fails), and hold the declared bodies
(omniroute/web/openapi/operations.py) to the views: every unsafe method that reads a body has one.
"""

from __future__ import annotations

import jsonschema_rs
import pytest
import requests
import schemathesis

from omniroute.web.deferred import built_dashboard
from omniroute.web.openapi.api import api_rules, openapi_document, openapi_path, rule_methods
from omniroute.web.openapi.operations import BODILESS, OPERATIONS
from omniroute.web.request_limits import MAX_ID

METHODS = {"get", "put", "post", "patch", "delete"}
BODY_METHODS = {"POST", "PUT", "PATCH"}


@pytest.fixture
def document(gateway) -> dict:
    response = requests.get(gateway.url + "/api/openapi.json")  # no session: it is public
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/json"
    return response.json()


def operations(document: dict):
    """(path, method, operation) for every operation in the document."""
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def schemas_in(value):
    """Every JSON Schema in a document: request and response bodies, parameters."""
    if isinstance(value, dict):
        for key, child in value.items():
            if key == "schema" and isinstance(child, dict):
                yield child
            else:
                yield from schemas_in(child)
    elif isinstance(value, list):
        for child in value:
            yield from schemas_in(child)


def test_the_document_is_valid_openapi_3_1(document):
    assert document["openapi"] == "3.1.0"
    schemathesis.openapi.from_dict(document).validate()  # the OpenAPI 3.1 meta-schema
    found = list(schemas_in(document))
    assert len(found) > 60
    for schema in found:
        jsonschema_rs.meta.validate(schema)  # each one valid JSON Schema (2020-12)


def test_every_api_route_and_method_is_in_the_document_and_nothing_else(gateway, document):
    routes = {
        (openapi_path(rule), method.lower())
        for rule in api_rules(built_dashboard(gateway.app))
        for method in rule_methods(rule)
    }
    documented = {(path, method) for path, method, _ in operations(document)}
    assert documented == routes
    assert ("/api/providers/{connection_id}", "put") in routes  # int ids become {name}
    assert len(routes) >= 60


def test_every_route_that_reads_a_json_body_declares_its_schema(gateway):
    endpoints = set(built_dashboard(gateway.app).view_functions)
    assert set(OPERATIONS) | BODILESS <= endpoints  # no declaration outlives its view
    for rule in api_rules(built_dashboard(gateway.app)):
        if BODY_METHODS & set(rule_methods(rule)) and rule.endpoint not in BODILESS:
            declared = OPERATIONS.get(rule.endpoint)
            assert declared is not None and declared.body is not None, rule.endpoint


def test_declared_bodies_use_the_api_field_names(document):
    def body(path, method):
        content = document["paths"][path][method]["requestBody"]["content"]
        return content["application/json"]["schema"]

    assert body("/api/providers", "post")["required"] == ["provider"]
    assert {"apiKey", "baseUrl", "isActive", "testModel"} <= set(
        body("/api/providers", "post")["properties"]
    )
    assert set(body("/api/provider-models", "post")["required"]) == {"provider", "modelId"}
    assert set(body("/api/usage/budget", "post")["properties"]) == {
        "keyId",
        "limit",
        "period",
        "warnAt",
    }


def test_closed_bodies_match_what_the_api_reads_back(gateway, document):
    """Settings and resilience refuse unknown fields: the documented ones are the ones GET gives."""
    with gateway.admin() as admin:
        settings = admin.get(gateway.url + "/api/settings").json()
        resilience = admin.get(gateway.url + "/api/resilience").json()

    def properties(path):
        content = document["paths"][path]["patch"]["requestBody"]["content"]
        return content["application/json"]["schema"]["properties"]

    assert set(properties("/api/settings")) == set(settings)
    documented = properties("/api/resilience")
    assert set(documented) == set(resilience)
    for section, values in resilience.items():
        assert set(documented[section]["properties"]) == set(values)


def test_integer_ids_are_bounded_by_what_the_database_holds(document):
    id_parameters = [
        parameter
        for _, _, operation in operations(document)
        for parameter in operation["parameters"]
        if parameter["in"] == "path" and parameter["schema"].get("type") == "integer"
    ]
    assert len(id_parameters) >= 12
    for parameter in id_parameters:
        assert parameter["schema"] == {"type": "integer", "minimum": 1, "maximum": MAX_ID}


def test_every_operation_says_what_it_does_and_how_it_fails(document):
    for path, method, operation in operations(document):
        assert operation["summary"], (path, method)
        assert operation["tags"], (path, method)
        error = operation["responses"]["4XX"]
        assert error == {"$ref": "#/components/responses/Error"}
        assert any(code.startswith("2") for code in operation["responses"]), (path, method)
    error_body = document["components"]["schemas"]["Error"]
    assert error_body["properties"]["error"]["required"] == ["message", "type", "code"]


def test_security_is_the_session_and_csrf_on_unsafe_methods(document):
    by_operation = {(p, m): op["security"] for p, m, op in operations(document)}
    assert by_operation[("/api/openapi.json", "get")] == []
    assert by_operation[("/api/auth/login", "post")] == []
    assert by_operation[("/api/combos", "get")] == [{"session": []}]
    assert by_operation[("/api/combos", "post")] == [{"session": [], "csrfToken": []}]
    schemes = document["components"]["securitySchemes"]
    assert schemes["csrfToken"] == {**schemes["csrfToken"], "in": "header", "name": "X-CSRFToken"}
    assert schemes["session"]["in"] == "cookie"


def test_downloads_and_streams_are_documented_with_their_media_types(document):
    def media_types(path):
        return set(document["paths"][path]["get"]["responses"]["200"]["content"])

    assert media_types("/api/usage/export.csv") == {"text/csv"}
    assert media_types("/api/translator/stream") == {"text/event-stream"}
    send = document["paths"]["/api/translator/send"]["post"]["responses"]["200"]["content"]
    assert set(send) == {"application/json", "text/event-stream"}


def test_the_document_is_public_while_the_api_is_not(gateway):
    assert requests.get(gateway.url + "/api/openapi.json").status_code == 200
    assert requests.get(gateway.url + "/api/combos").status_code == 401


def test_the_document_is_built_once_per_app(gateway):
    assert openapi_document(built_dashboard(gateway.app)) is openapi_document(
        built_dashboard(gateway.app)
    )
