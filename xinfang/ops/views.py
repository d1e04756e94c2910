"""The health endpoint for the reverse proxy and monitoring: no login, no personal data."""

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from xinfang.ops import selectors


@never_cache
@require_safe
def healthz(request):
    """200 when every check passes, 503 otherwise; the body names each check in Chinese."""
    checks = selectors.health()
    ok = all(check.ok for check in checks)
    body = {
        "status": "ok" if ok else "fail",
        "checks": {check.name: {"ok": check.ok, "message": check.message} for check in checks},
    }
    return JsonResponse(body, status=200 if ok else 503, json_dumps_params={"ensure_ascii": False})
