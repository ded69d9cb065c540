from django.urls import path

from . import team_views, views

app_name = "proposals"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("new/", views.create, name="create"),
    path("queue/", views.queue, name="queue"),
    path("people/", views.people_search, name="people_search"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/autosave/", views.autosave, name="autosave"),
    path("<int:pk>/transitions/<str:name>/", views.transition, name="transition"),
    path("<int:pk>/team/<int:member_pk>/transitions/<slug:name>/", team_views.team_transition,
         name="team_transition"),
    path("<int:pk>/attachments/", views.attachment_upload, name="attachment_add"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.attachment_download, name="attachment"),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/delete/",
        views.attachment_remove,
        name="attachment_delete",
    ),
]
