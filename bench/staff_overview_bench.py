"""Staff pages on the demo data: query count and median time of five warm requests.

DATABASE_URL=… .venv/bin/python manage.py seed_demo
DATABASE_URL=… .venv/bin/python manage.py shell < bench/staff_overview_bench.py
"""

import statistics
import time

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from portal.models import User

c = Client()
c.force_login(User.objects.get(email="admin@example.com"))
for path in ["/", "/tiers/at-risk/", "/community/review/hug-flags/"]:
    c.get(path, HTTP_HOST="localhost")
    times = []
    for _ in range(5):
        with CaptureQueriesContext(connection) as q:
            t = time.perf_counter()
            r = c.get(path, HTTP_HOST="localhost")
            times.append(time.perf_counter() - t)
    print(path, r.status_code, "queries", len(q), "median ms", round(statistics.median(times) * 1000))
