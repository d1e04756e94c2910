"""The yardstick of ``bench_web.py``: a bare Django 5.2 project as ``startproject`` makes it (its
middleware, database sessions, a login), with one table of rows shaped like a ledger's, and three
pages: one row by primary key, 50 rows of 10,000 in pages, and 20 rows. Served by gunicorn beside
the platform; what Django itself costs for pages of that size."""
