"""The one way a service refuses (HackSoft styleguide's `ApplicationError`).

Every app's refusal subclasses `PortalError`. `code` is a stable machine code: the
API answers with it (its HTTP status comes from `api.openapi.ERROR_STATUS`), pages
show `message` to the person as it is. Subclasses set a class-level `code`; a
refusal may also pass its own.
"""

from __future__ import annotations


class PortalError(Exception):
    code = "bad_request"

    def __init__(
        self, message: str = "", *, code: str | None = None, field: str = "", extra: dict | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.field = field
        self.extra = extra or {}

    def __str__(self) -> str:
        return str(self.message)


class Forbidden(PortalError):
    """The acting person may not do this (the API answers 403 `forbidden`)."""

    code = "forbidden"
