from __future__ import annotations

from django import forms

from xinfang.accounts import second_factor
from xinfang.core import forms as checked


class LoginForm(checked.Form):
    username = forms.CharField(
        label="用户名",
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label="密码", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class CodeForm(checked.Form):
    """A dynamic code from the authenticator app: six digits (spaces allowed)."""

    code = forms.CharField(
        label="动态口令",
        max_length=20,
        error_messages={"required": "请输入身份验证器应用中显示的6位数字。"},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "size": 10}
        ),
    )

    def clean_code(self):
        code = second_factor.digits_only(self.cleaned_data["code"])
        if not second_factor.is_totp_code(code):
            raise forms.ValidationError("动态口令是6位数字，请输入身份验证器应用中当前显示的数字。")
        return code


class VerifyForm(checked.Form):
    """The second step of logging in: a dynamic code, or one of the recovery codes."""

    code = forms.CharField(
        label="动态口令或恢复码",
        max_length=40,
        help_text="打开手机上的身份验证器应用，输入当前显示的6位数字；手机不在身边时，可以输入一个恢复码。",
        error_messages={"required": "请输入动态口令或恢复码。"},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "autocapitalize": "characters"}
        ),
    )

    def clean_code(self):
        code = self.cleaned_data["code"]
        if second_factor.is_totp_code(code):
            return second_factor.digits_only(code)
        if len(second_factor.normalize_recovery_code(code)) == second_factor.RECOVERY_LENGTH:
            return code
        raise forms.ValidationError("请输入6位数字的动态口令，或16位的恢复码（如 ABCD-EFGH-JKLM-NPQR）。")
