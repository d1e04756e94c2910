from __future__ import annotations

from django import forms

from xinfang.accounts.models import Unit
from xinfang.core.forms import Form
from xinfang.imports import columns

FILE_HELP = "Excel 工作簿（.xlsx，不超过20 MB）。可以有多个工作表；表头可以是两行、可以合并单元格。"


class UploadForm(Form):
    unit = forms.ModelChoiceField(label="导入到单位", queryset=Unit.objects.none(), empty_label="请选择单位")
    file = forms.FileField(
        label="原有台账文件",
        help_text=FILE_HELP,
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
        error_messages={"required": "请选择要导入的台账文件。"},
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = units
        if units.count() == 1:  # an agent brings in their own unit's ledger: nothing to choose
            self.fixed_unit = units.first()
            del self.fields["unit"]
        else:
            self.fixed_unit = None

    def chosen_unit(self):
        return self.fixed_unit or self.cleaned_data["unit"]


class ReplaceForm(Form):
    file = forms.FileField(
        label="改正后的文件",
        help_text="在 Excel 或 WPS 中按下面的问题改正后保存，再在这里上传；对应关系不变。",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
        error_messages={"required": "请选择改正后的文件。"},
    )


class MappingForm(Form):
    """Each header of the file and the column it is taken as; saved for the unit."""

    def __init__(self, *args, headers: list[tuple[str, str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.keys: dict[str, str] = {}
        for n, (key, text, code) in enumerate(headers):
            name = f"h{n}"
            self.keys[name] = key
            self.fields[name] = forms.ChoiceField(
                label=text, choices=columns.choices(), initial=code, required=False
            )

    def mapping(self) -> dict[str, str]:
        return {self.keys[name]: self.cleaned_data.get(name) or "" for name in self.keys}
