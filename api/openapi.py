"""The OpenAPI 3.1 document of API v1 (served at /api/v1/openapi.json).

It is also the contract the code enforces: request bodies are validated against
the schemas below (`REQUEST_BODIES`), every error code comes from `ERROR_STATUS`,
and the tests check every API response against this document.
"""

from __future__ import annotations

from django_countries import countries

from portal.models import Industry

# Every error code the API answers with, and its HTTP status. Codes are a contract
# clients script against: add new ones, never rename.
ERROR_STATUS = {
    "bad_request": 400,
    "unauthorized": 401,
    "token_expired": 401,
    "forbidden": 403,
    "not_found": 404,
    "method_not_allowed": 405,
    "cap_reached": 409,
    "domain_taken": 409,
    "extension_not_allowed": 409,
    "request_too_large": 413,
    "invalid_domain": 422,
    "server_error": 500,
}
ERROR_CODES = list(ERROR_STATUS)
# The largest request body the API reads (bytes); larger → 413 `request_too_large`.
MAX_BODY_BYTES = 1024 * 1024
# Strings may not contain NUL (PostgreSQL text cannot hold it).
NO_NUL = "^[^\\x00]*$"
REASON_MAX = 2000


def _json_response(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict:
    return _json_response(description, {"$ref": "#/components/schemas/Error"})


def _text(max_length: int, *, min_length: int = 0) -> dict:
    return {"type": "string", "minLength": min_length, "maxLength": max_length, "pattern": NO_NUL}


def request_bodies() -> dict[str, dict]:
    """JSON schemas of the request bodies, by operation; the views validate against these."""
    country_codes = ["", *sorted(code for code, _name in countries)]
    return {
        "registration_submit": {
            "type": "object",
            "required": ["domain"],
            "additionalProperties": False,
            "properties": {
                "domain": _text(2000, min_length=1)
                | {"description": "A domain or URL; it is normalised to the registrable domain"},
                "company_name": _text(200),
                "country": {
                    "type": "string",
                    "enum": country_codes,
                    "description": "An ISO 3166-1 alpha-2 code of the customer's HQ country (like JP), or empty",
                },
                "industry": {
                    "type": "string",
                    "enum": ["", *Industry.values],
                    "description": "The customer's industry (optional), compared with the partner's target industries",
                },
            },
        },
        "empty": {"type": "object", "additionalProperties": False, "properties": {}},
        "registration_approve": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"reason": _text(REASON_MAX)},
        },
        "registration_reject": {
            "type": "object",
            "required": ["reason"],
            "additionalProperties": False,
            "properties": {"reason": _text(REASON_MAX, min_length=1) | {"pattern": "^[^\\x00]*\\S[^\\x00]*$"}},
        },
    }


# Answers any operation may give, whatever it does.
ALWAYS = {
    "405": _error("Method not allowed (`method_not_allowed`); the `Allow` header lists the methods"),
    "413": _error(f"Body larger than {MAX_BODY_BYTES} bytes (`request_too_large`)"),
    "500": _error("Unexpected error (`server_error`); nothing was changed"),
}


def _registration_response(description: str = "The updated registration") -> dict:
    return _json_response(description, {"$ref": "#/components/schemas/Registration"})


def _items_response(description: str, item_schema: str) -> dict:
    """A 200 whose body is `{"items": [...]}` of the named component schema."""
    return _json_response(
        description,
        {
            "type": "object",
            "required": ["items"],
            "properties": {"items": {"type": "array", "items": {"$ref": f"#/components/schemas/{item_schema}"}}},
        },
    )


COMMON = {
    "400": _error("A query parameter the operation does not document (`bad_request`)"),
    "401": _error("Missing, unknown or revoked token (`unauthorized`), or an expired one (`token_expired`)"),
    "404": _error("Not yours (`not_found`)"),
    **ALWAYS,
}
ID_PARAM = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
BODY_ERR = {
    "400": _error(
        "Malformed JSON, or a field missing, of the wrong type, too long, containing NUL, "
        "not an ISO country code or not documented (`bad_request`; `field` names it)"
    )
}


def _body(schema: dict, *, required: bool) -> dict:
    return {"required": required, "content": {"application/json": {"schema": schema}}}


def _action(summary: str, *, body: dict, required: bool = False, extra: dict | None = None) -> dict:
    operation: dict = {
        "summary": summary,
        "parameters": [ID_PARAM],
        "requestBody": _body(body, required=required),
        "responses": {"200": _registration_response(), **COMMON, **BODY_ERR, **(extra or {})},
    }
    return {"post": operation}


def openapi_document(server_url: str = "/api/v1") -> dict:
    bodies = request_bodies()
    registration = {
        "type": "object",
        "required": ["id", "domain", "status", "submitted_at", "approved_at", "expires_on", "extended"],
        "properties": {
            "id": {"type": "integer"},
            "domain": {"type": "string", "description": "The normalised, ASCII registrable domain"},
            "status": {"type": "string", "enum": ["pending", "registered", "rejected", "expired", "released"]},
            "submitted_at": {"type": "string", "format": "date-time"},
            "approved_at": {"type": ["string", "null"], "format": "date-time"},
            "expires_on": {"type": ["string", "null"], "format": "date"},
            "extended": {"type": "boolean"},
        },
    }
    queued = {
        "allOf": [
            {"$ref": "#/components/schemas/Registration"},
            {"type": "object", "required": ["partner_id"], "properties": {"partner_id": {"type": "string"}}},
        ]
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Partner portal API",
            "version": "1",
            "description": (
                "Domain registrations for partners and their CAMs. Send `Authorization: Bearer <token>`. "
                "Every error is JSON `{code, message}` (plus `field` when one request field was refused); "
                "codes and their statuses: "
                + ", ".join(f"`{code}` {status}" for code, status in ERROR_STATUS.items())
                + ". Request bodies that are not documented here (unknown fields, wrong types, NUL bytes, "
                f"more than {MAX_BODY_BYTES} bytes) are refused."
            ),
        },
        "servers": [{"url": server_url}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["code", "message"],
                    "additionalProperties": False,
                    "properties": {
                        "code": {"type": "string", "enum": ERROR_CODES},
                        "message": {"type": "string"},
                        "field": {"type": "string", "description": "The request field that was refused, if one"},
                    },
                },
                "Registration": registration,
                "QueuedRegistration": queued,
                "PartnerStatus": {
                    "type": "object",
                    "required": ["partner_id", "registration_cap", "live_registrations", "commission_hold"],
                    "properties": {
                        "partner_id": {"type": "string"},
                        "name": {"type": "string"},
                        "kind": {"type": "string"},
                        "tier": {"type": "string"},
                        "registration_cap": {"type": ["integer", "null"]},
                        "live_registrations": {"type": "integer"},
                        "commission_hold": {"type": "boolean"},
                    },
                    "additionalProperties": True,
                },
            },
        },
        "paths": {
            "/openapi.json": {
                "get": {
                    "summary": "This document",
                    "security": [],
                    "responses": {
                        "200": {
                            "description": "OpenAPI 3 document",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        },
                        **ALWAYS,
                    },
                }
            },
            "/partner": {
                "get": {
                    "summary": "The status of the token's partner (tier, points, cap, live registrations, commission hold)",
                    "responses": {
                        "200": {
                            "description": "Partner status",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PartnerStatus"}}},
                        },
                        **COMMON,
                    },
                }
            },
            "/registrations": {
                "get": {
                    "summary": "Registrations visible to the token",
                    "parameters": [
                        {
                            "name": "status",
                            "in": "query",
                            "required": False,
                            "schema": registration["properties"]["status"],
                        }
                    ],
                    "responses": {
                        "200": _items_response("Registrations", "Registration"),
                        "400": _error("Unknown status or query parameter (`bad_request`)"),
                        "401": COMMON["401"],
                        **ALWAYS,
                    },
                },
                "post": {
                    "summary": "Register a domain (pending until the CAM approves)",
                    "requestBody": _body(bodies["registration_submit"], required=True),
                    "responses": {
                        "201": _registration_response("The new registration, status `pending`, domain normalised"),
                        **COMMON,
                        **BODY_ERR,
                        "409": _error("`cap_reached` or `domain_taken`"),
                        "422": _error("Not a registrable domain (`invalid_domain`)"),
                    },
                },
            },
            "/registrations/{id}/extend": _action(
                "Extend a registered domain (once, while under the cap)",
                body=bodies["empty"],
                extra={"409": _error("`cap_reached` or `extension_not_allowed`")},
            ),
            "/registrations/{id}/release": _action("Release a domain (status `released`)", body=bodies["empty"]),
            "/registrations/{id}/approve": _action(
                "CAM: approve a pending registration of the book, with an optional reason",
                body=bodies["registration_approve"],
            ),
            "/registrations/{id}/reject": _action(
                "CAM: reject a pending registration of the book, with a reason",
                body=bodies["registration_reject"],
                required=True,
            ),
            "/cam/queue": {
                "get": {
                    "summary": "CAM: pending registrations of the book, oldest first",
                    "responses": {
                        "200": _items_response("The approval queue", "QueuedRegistration"),
                        **COMMON,
                    },
                }
            },
        },
    }
