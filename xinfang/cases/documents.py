"""Documents filled from a case: the 《网上投诉代理授权委托书》 (seed 附件1)."""

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def authorization_letter(case):
    raise NotImplementedError


def authorization_docx(case) -> bytes:
    raise NotImplementedError
