"""Policy kept as data: the content classification and the platforms complaints go to."""

from __future__ import annotations

from django.db import models


class ReferenceQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class ContentCategory(models.Model):
    """内容分类 of the provincial platform; the list changes, so it is a table."""

    name = models.CharField("名称", max_length=30, unique=True)
    sort_order = models.PositiveIntegerField("排序", default=100)
    active = models.BooleanField("启用", default=True)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = "内容分类"
        verbose_name_plural = "内容分类"

    def __str__(self) -> str:
        return self.name


class SubmissionPlatform(models.Model):
    """Where a complaint is filed: 陕西省网上信访大厅, 县领导信访信箱, or another."""

    name = models.CharField("名称", max_length=40, unique=True)
    url = models.CharField("网址", max_length=200, blank=True)
    sort_order = models.PositiveIntegerField("排序", default=100)
    active = models.BooleanField("启用", default=True)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = "投诉平台"
        verbose_name_plural = "投诉平台"

    def __str__(self) -> str:
        return self.name


CONTENT_CATEGORIES = [
    "农村农业",
    "市场监督",
    "自然资源",
    "城乡建设",
    "生态环境",
    "劳动和社会保障",
    "交通运输",
    "卫生健康",
    "房产物业",
    "经济管理",
    "文体旅游",
    "党务政务",
    "组织人事",
    "科技与信息产业",
    "军队事务",
    "民政与应急",
    "教育",
    "政法",
    "纪检监察",
    "其他",
]
PLATFORMS = [
    ("陕西省网上信访大厅", "http://xfonline.shaanxi.gov.cn"),
    ("县领导信访信箱", ""),
    ("其他平台", ""),
]


def seed_reference_data(category_model=ContentCategory, platform_model=SubmissionPlatform) -> None:
    """Create the standard lists where missing (used by the first migration and by tests)."""
    for order, name in enumerate(CONTENT_CATEGORIES, start=1):
        category_model.objects.get_or_create(name=name, defaults={"sort_order": order * 10})
    for order, (name, url) in enumerate(PLATFORMS, start=1):
        platform_model.objects.get_or_create(name=name, defaults={"url": url, "sort_order": order * 10})
