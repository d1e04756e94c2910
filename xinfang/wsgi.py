import os

from django.core.wsgi import get_wsgi_application

from xinfang.core.keys import verify_or_exit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")
# Refuses to start (exit status 4, the message on stderr) when the data key does not open the data.
application = verify_or_exit(get_wsgi_application)

from xinfang.core.middleware import CheckedWSGIRequest  # noqa: E402  (after Django is set up)

application.request_class = CheckedWSGIRequest  # a charset that is no text encoding: a 400, not a crash
