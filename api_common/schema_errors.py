"""The error answers every API operation can give, in the OpenAPI schema.

drf-spectacular documents what a view says it answers; DRF and the exception handler
(`api_common.errors`) answer more than that everywhere: 400 for bad input (body, query
string, `Idempotency-Key`), 401 without valid credentials, 403 when the person may not,
404 for an object that does not exist or is not theirs (or a page past the last), 409 for
a POST repeated while its first still runs. This postprocessing hook adds each one an
operation can give and does not document yet, so that clients (and the schemathesis run
in CI, tests/api/schemathesis_run.py) can rely on the schema's list of status codes.
"""

ERROR_DETAIL = {
    "type": "object",
    "description": "401, 403 and 404: a sentence saying why.",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
FIELD_ERRORS = {
    "type": "object",
    "description": (
        '400: `{"field": ["message", ...]}`; `non_field_errors` for what concerns no one field.'
    ),
    "properties": {"non_field_errors": {"type": "array", "items": {"type": "string"}}},
}
METHODS = ("get", "put", "post", "patch", "delete")


def _answer(description: str, component: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}},
    }


def document_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"])."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("ErrorDetail", ERROR_DETAIL)
    schemas.setdefault("FieldErrors", FIELD_ERRORS)
    for operations in result.get("paths", {}).values():
        for method in METHODS:
            operation = operations.get(method)
            if operation is None:
                continue
            parameters = operation.get("parameters", [])
            located = {p.get("in") for p in parameters}
            names = {p.get("name") for p in parameters}
            responses = operation.setdefault("responses", {})
            security = operation.get("security") or []
            signed_in = bool(security) and {} not in security
            if "requestBody" in operation or "query" in located or "header" in located:
                responses.setdefault("400", _answer("Bad input, or a condition failed.",
                                                    "FieldErrors"))
            if signed_in:
                responses.setdefault("401", _answer("Not signed in, or the token is not valid "
                                                    "(expired, revoked).", "ErrorDetail"))
                responses.setdefault("403", _answer("Not allowed.", "ErrorDetail"))
            if "path" in located:
                responses.setdefault("404", _answer("No such object, or not one this person "
                                                    "may see.", "ErrorDetail"))
            if "page" in names:
                responses.setdefault("404", _answer("No such page, or no such object.",
                                                    "ErrorDetail"))
            if method == "post" and "Idempotency-Key" in names:
                responses.setdefault("409", _answer("The same Idempotency-Key while its first "
                                                    "request still runs.", "ErrorDetail"))
    return result
