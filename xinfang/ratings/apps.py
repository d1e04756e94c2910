from django.apps import AppConfig


class RatingsConfig(AppConfig):
    name = "xinfang.ratings"
    label = "ratings"
    verbose_name = "评价与反馈"
