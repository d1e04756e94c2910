"""Operations: what a county's IT staff run to keep the platform in service.

``xinfang serve`` (the production server), ``/healthz`` (for the proxy and monitoring),
``xinfang backup`` and ``xinfang restore``. The systemd units, the nginx example and the
environment file they use are in ``deploy/``; the README's 部署 section walks through them.
"""
