from xinfang.core import startup


class ReferenceConfig(startup.PluggedAppConfig):
    name = "xinfang.reference"
    label = "reference"
    verbose_name = "基础数据"

    def plug(self):
        """The audit log names a content category (an export's filter) by its name."""
        from xinfang.audit import words
        from xinfang.reference.models import ContentCategory

        words.name_rows(
            "reference.ContentCategory",
            lambda ids: dict(ContentCategory.objects.filter(pk__in=ids).values_list("pk", "name")),
        )
