from django.shortcuts import render

from xinfang.accounts.models import Role
from xinfang.accounts.permissions import role_required


@role_required(Role.BUREAU)
def unit_list(request):
    return render(request, "accounts/home.html")


@role_required(Role.BUREAU)
def user_list(request):
    return render(request, "accounts/home.html")
