"""The OpenAPI 3.1 document of API v1 (served at /api/v1/openapi.json, validated in the tests)."""

from __future__ import annotations

ERROR_CODES = [
    "unauthorized",
    "not_found",
    "bad_request",
    "cap_reached",
    "domain_taken",
    "invalid_domain",
    "extension_not_allowed",
]


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _registration_response(description: str = "The updated registration") -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Registration"}}},
    }


COMMON = {"401": _error("Missing or bad token (`unauthorized`)"), "404": _error("Not yours (`not_found`)")}
ID_PARAM = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
BODY_ERR = {"400": _error("Malformed JSON (`bad_request`)")}


def _action(summary: str, *, extra: dict | None = None, body: dict | None = None) -> dict:
    operation: dict = {
        "summary": summary,
        "parameters": [ID_PARAM],
        "responses": {"200": _registration_response(), **COMMON, **BODY_ERR, **(extra or {})},
    }
    if body:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    return {"post": operation}


def openapi_document(server_url: str = "/api/v1") -> dict:
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
            "description": "Domain registrations for partners and their CAMs. Send `Authorization: Bearer <token>`.",
        },
        "servers": [{"url": server_url}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["code", "message"],
                    "properties": {"code": {"type": "string", "enum": ERROR_CODES}, "message": {"type": "string"}},
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
                    "responses": {"200": {"description": "OpenAPI 3 document"}},
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
                        "200": {
                            "description": "Registrations",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["items"],
                                        "properties": {
                                            "items": {
                                                "type": "array",
                                                "items": {"$ref": "#/components/schemas/Registration"},
                                            }
                                        },
                                    }
                                }
                            },
                        },
                        "400": _error("Unknown status (`bad_request`)"),
                        "401": COMMON["401"],
                    },
                },
                "post": {
                    "summary": "Register a domain (pending until the CAM approves)",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["domain"],
                                    "properties": {
                                        "domain": {"type": "string"},
                                        "company_name": {"type": "string"},
                                        "country": {"type": "string"},
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "201": _registration_response("The new registration, status `pending`, domain normalised"),
                        **COMMON,
                        **BODY_ERR,
                        "409": _error("`cap_reached` or `domain_taken`"),
                        "422": _error("`invalid_domain`"),
                    },
                },
            },
            "/registrations/{id}/extend": _action(
                "Extend a registered domain (once, while under the cap)",
                extra={"409": _error("`cap_reached` or `extension_not_allowed`")},
            ),
            "/registrations/{id}/release": _action("Release a domain (status `released`)"),
            "/registrations/{id}/approve": _action("CAM: approve a pending registration of the book"),
            "/registrations/{id}/reject": _action(
                "CAM: reject a pending registration of the book, with a reason",
                body={"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string"}}},
            ),
            "/cam/queue": {
                "get": {
                    "summary": "CAM: pending registrations of the book, oldest first",
                    "responses": {
                        "200": {
                            "description": "The approval queue",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["items"],
                                        "properties": {
                                            "items": {
                                                "type": "array",
                                                "items": {"$ref": "#/components/schemas/QueuedRegistration"},
                                            }
                                        },
                                    }
                                }
                            },
                        },
                        **COMMON,
                    },
                }
            },
        },
    }
