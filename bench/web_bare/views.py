from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from web_bare.models import Row


@login_required
def one(request, pk):
    return render(request, "web_bare/one.html", {"row": get_object_or_404(Row, pk=pk)})


@login_required
def rows(request):
    rows = Row.objects.order_by("-received_on", "-id")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "web_bare/rows.html", {"page": page, "rows": page.object_list})


@login_required
def twenty(request):
    rows = Row.objects.order_by("-received_on", "-id")[:20]
    return render(request, "web_bare/rows.html", {"rows": rows})
