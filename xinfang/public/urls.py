from django.urls import path

from xinfang.accounts import views as accounts_views
from xinfang.public import views

app_name = "public"
urlpatterns = [
    # Printed on cards and flyers: these addresses stay.
    path("agents/", views.agents, name="agents"),
    path("agents/<int:pk>/photo/", accounts_views.agent_photo, name="agent_photo"),
    path("guide/", views.guide, name="guide"),
    path("track/", views.track, name="track"),
    path("track/rate/", views.rate, name="rate"),
    path("track/rated/", views.rated, name="rated"),
    # Staff: each unit's contact card and flyer, and the publicity log.
    path("materials/", views.materials, name="materials"),
    path("materials/<int:pk>/card/", views.card, name="card"),
    path("materials/<int:pk>/card.docx", views.card_docx, name="card_docx"),
    path("materials/<int:pk>/flyer/", views.flyer, name="flyer"),
    path("materials/<int:pk>/flyer.docx", views.flyer_docx, name="flyer_docx"),
    path("publicity/", views.publicity, name="publicity"),
    path("publicity/new/", views.publicity_new, name="publicity_new"),
]
