"""gunicorn's settings for ``xinfang serve`` (loaded as ``python:xinfang.ops.gunicorn_conf``).

Naming the config module also keeps gunicorn from reading a stray ``gunicorn.conf.py`` from the
working directory. Address, workers and timeout come from serve's options.
"""

import os

wsgi_app = "xinfang.wsgi:application"
proc_name = "xinfang"
# The access log leaves out the query string (%(U)s is the path alone): a search term or a
# token in a URL is not written to the journal.
accesslog = "-"
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
loglevel = "info"
# The heartbeat file on a memory filesystem: a slow disk never makes a worker look hung.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
# No runtime control socket: the service is managed through systemd.
control_socket_disable = True
# Behind nginx on the same host: keep-alive a little longer than nginx's upstream idle time.
keepalive = 5
graceful_timeout = 30
