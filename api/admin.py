from __future__ import annotations

from django.contrib import admin

from api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__email", "prefix"]
    list_select_related = ["user"]
    readonly_fields = ["user", "key_hash", "prefix", "created_at", "created_by", "last_used_at", "expires_at"]

    def has_add_permission(self, request) -> bool:
        # Tokens are created in the portal or with `create_api_token`, so the raw value is shown once.
        return False
