"""What people type as text: control characters, bidi controls, invisible-only values, names of
people, 查询码 and platform passwords (issue 9, defect 5), and the form base that applies the
checks to every form of the product."""

from __future__ import annotations

import datetime
import importlib
import pkgutil

import pytest
from django import forms
from django.core.exceptions import ValidationError

import xinfang
from xinfang.core import forms as core_forms
from xinfang.core.validators import (
    printable,
    validate_multiline_text,
    validate_person_name,
    validate_platform_password,
    validate_query_code,
    validate_text,
)


def message(check, value) -> str:
    with pytest.raises(ValidationError) as info:
        check(value)
    return info.value.messages[0]


# --- free text -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ("排水\x01沟", "内容中含有不可见的控制字符（第3个字符），请删除后再提交。"),
        ("\x1b[31m红字", "内容中含有不可见的控制字符（第1个字符），请删除后再提交。"),
        ("空\x00字符", "内容中含有不可见的控制字符（第2个字符），请删除后再提交。"),
        ("删除\x7f", "内容中含有不可见的控制字符（第3个字符），请删除后再提交。"),
        ("C1\x85控制", "内容中含有不可见的控制字符（第3个字符），请删除后再提交。"),
        ("文件\u202egpj.exe", "内容中含有改变文字方向的隐藏字符（第3个字符），请删除后再提交。"),
        ("隔离\u2067字", "内容中含有改变文字方向的隐藏字符（第3个字符），请删除后再提交。"),
        ("编码\ufffd错", "无法识别的字符"),
        ("非字符\uffff", "内容中含有无效字符（第4个字符），请删除后再提交。"),
        ("\u200b", "这里只有空格或不可见字符，请填写实际内容或清空。"),
        ("\u200b\u3000\ufeff", "这里只有空格或不可见字符"),
    ],
)
def test_text_refuses_with_the_position(value, expected):
    assert expected in message(validate_text, value)
    assert expected in message(validate_multiline_text, value)


def test_line_breaks_only_where_several_lines_are_asked_for():
    text = "第一行\n第二行\r\n\t缩进的第三行\u2028"
    validate_multiline_text(text)
    assert message(validate_text, text) == "此处只能填写一行，第4个字符是换行，请删除。"
    validate_text("制表\t符")  # pasted from a spreadsheet cell


@pytest.mark.parametrize(
    "value",
    [
        "道路硬化后排水沟被堵，雨天积水进屋。",
        "Room 302, 3rd floor — “quoted” ‘text’ ①②③ ㎡ ℃ ×÷ 〔2026〕",
        "表情可以写在意见里 👍🏻 👨‍👩‍👧",  # a joiner inside an emoji sequence is not alone
        "零宽\u200b空格夹在文字中间",
        "藏文 བོད་ 维吾尔文 ئۇيغۇر",  # right-to-left letters themselves are allowed
    ],
)
def test_ordinary_text_passes(value):
    validate_text(value)
    validate_multiline_text(value)


def test_printable_removes_what_documents_cannot_hold_and_keeps_the_rest():
    assert printable("a\x00b\x01c\x1b[0m\u202ed\ufffe\ud800e") == "abc[0mde"
    assert printable("行一\n行二\t尾\r") == "行一\n行二\t尾\r"
    assert printable("阿卜杜拉·买买提 👍") == "阿卜杜拉·买买提 👍"
    assert printable(None) is None and printable(12) == 12


# --- names ---------------------------------------------------------------------------------------

ACCEPTED_NAMES = [
    ("李某某", "李某某"),
    ("欧阳娜娜", "欧阳娜娜"),
    ("王〇", "王〇"),
    ("𠀾", "𠀾"),  # extension B: rare characters do occur in names
    ("阿卜杜拉·买买提", "阿卜杜拉·买买提"),
    ("阿卜杜拉・买买提", "阿卜杜拉·买买提"),  # katakana middle dot typed by an input method
    ("阿卜杜拉•买买提", "阿卜杜拉·买买提"),
    ("  李某某  ", "李某某"),
    ("Mary-Jane O'Neil", "Mary-Jane O'Neil"),
    ("José  Núñez", "José Núñez"),
    ("ＴＯＭ", "TOM"),  # full-width letters folded
]


@pytest.mark.parametrize("typed, stored", ACCEPTED_NAMES)
def test_names_accepted(typed, stored):
    assert validate_person_name(typed) == stored


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("\u200b", "姓名只有空格或不可见字符，请填写姓名。"),
        ("\u3164", "姓名只有空格或不可见字符，请填写姓名。"),
        ("李\u200b某某", "姓名中含有不可见字符（第2个字符），请删除后重新输入。"),
        ("李\u202e某某", "姓名中含有不可见字符（第2个字符）"),
        ("李\x01某", "姓名中含有不可见字符（第2个字符）"),
        ("😀", "姓名中不能有“😀”（第1个字符）"),
        ("😀😀", "姓名中不能有“😀”（第1个字符）"),
        ("李某1", "姓名中不能有“1”（第3个字符）"),
        ("李某某。", "姓名中不能有“。”（第4个字符）"),
        ("阿卜杜拉．买买提", "中文姓名中不能有空格或“-”“'”“.”"),  # NFKC made it a full stop
        ("·", "姓名中至少要有一个汉字或英文字母。"),
        ("---", "姓名中至少要有一个汉字或英文字母。"),
        ("·买买提", "间隔号“·”只能写在姓名的两部分之间"),
        ("阿卜杜拉··买买提", "间隔号“·”只能写在姓名的两部分之间"),
        ("李 某某", "中文姓名中不能有空格"),
    ],
)
def test_names_refused(typed, expected):
    assert expected in message(validate_person_name, typed)


# --- codes from the platform ----------------------------------------------------------------------


def test_query_code_folds_spaces_and_full_width():
    assert validate_query_code(" ZP2026 ab12 ") == "ZP2026ab12"
    assert validate_query_code("ＺＰ２０２６－０１") == "ZP2026-01"


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("ZP😀12", "第3个字符“😀”不是"),
        ("ZP\x0112", "第3个字符U+0001不是"),
        ("ZP\u200b12", "第3个字符U+200B不是"),
        ("查询码", "第1个字符“查”不是"),
    ],
)
def test_query_code_refused(typed, expected):
    assert expected in message(validate_query_code, typed)


def test_platform_password_is_printable_ascii_and_never_shown():
    validate_platform_password("Ab3$ x~!")
    text = message(validate_platform_password, "Pw鑫1")
    assert "第3个字符不是" in text and "鑫" not in text
    assert "第3个字符" in message(validate_platform_password, "Pw😀1")
    assert "第3个字符" in message(validate_platform_password, "Pw\x001")
    assert "第1个字符" in message(validate_platform_password, "Ｐｗ")


# --- the form base --------------------------------------------------------------------------------


class Sample(core_forms.Form):
    line = forms.CharField(max_length=20)
    lines = forms.CharField(required=False, widget=forms.Textarea)
    day = forms.DateField(required=False)
    count = forms.IntegerField(required=False)
    name = core_forms.PersonNameField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["late"] = forms.CharField(required=False)  # added after the class is built


def test_the_base_checks_every_field_and_keeps_what_was_typed():
    form = Sample(
        {
            "line": "标题\x01",
            "lines": "第一行\n第二\x1b行",
            "day": "1999-12-31",
            "count": "9" * 30,
            "name": "😀",
            "late": "\u202e后加",
        }
    )
    assert not form.is_valid()
    assert form.errors["line"] == ["内容中含有不可见的控制字符（第3个字符），请删除后再提交。"]
    assert form.errors["lines"] == ["内容中含有不可见的控制字符（第7个字符），请删除后再提交。"]
    assert form.errors["day"] == ["日期应在2000年至2100年之间，请核对。"]
    assert "count" in form.errors
    assert "姓名中不能有" in form.errors["name"][0]
    assert "改变文字方向" in form.errors["late"][0]
    assert 'value="标题\x01"' in str(form["line"])  # shown again as typed


def test_the_base_accepts_ordinary_input_and_caps_unbounded_text():
    form = Sample({"line": "标题", "lines": "一\n二\t三", "day": "2026-03-01", "count": "5", "name": "张三"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == datetime.date(2026, 3, 1)
    too_long = Sample({"line": "标题", "lines": "字" * (core_forms.MAX_TEXT + 1)})
    assert not too_long.is_valid() and "lines" in too_long.errors


OWNED_ELSEWHERE: tuple[str, ...] = ()


def _all_form_classes():
    for module in pkgutil.walk_packages(xinfang.__path__, "xinfang."):
        name = module.name
        if (name.endswith(".forms") or name.endswith("_forms")) and not name.startswith(OWNED_ELSEWHERE):
            importlib.import_module(name)
    seen, stack = set(), [forms.Form, forms.ModelForm]
    while stack:
        for sub in stack.pop().__subclasses__():
            if sub not in seen:
                seen.add(sub)
                stack.append(sub)
    return [
        c
        for c in seen
        if c.__module__.startswith("xinfang.") and not c.__module__.startswith(OWNED_ELSEWHERE)
    ]


def test_every_form_of_the_product_derives_from_the_checked_base():
    classes = _all_form_classes()
    assert len(classes) > 30
    unchecked = sorted(
        f"{c.__module__}.{c.__name__}"
        for c in classes
        if not issubclass(c, core_forms.CheckedInputMixin) and "tests" not in c.__module__
    )
    assert unchecked == []
