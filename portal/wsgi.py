from __future__ import annotations

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
application = get_wsgi_application()

# Everything loaded at start-up (modules, URL patterns, templates, translations) lives as long as
# the process: move it out of the collector's reach, so a full collection during a request walks
# only that request's objects (docs/decisions.md, "Garbage collection in the web process").
gc.collect()
gc.freeze()
