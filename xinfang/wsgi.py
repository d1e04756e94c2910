import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")
application = get_wsgi_application()

from xinfang.core.middleware import CheckedWSGIRequest  # noqa: E402  (after Django is set up)

application.request_class = CheckedWSGIRequest  # a charset that is no text encoding: a 400, not a crash
