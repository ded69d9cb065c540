from django.urls import path

from . import views

app_name = "proposals"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("new/", views.create, name="create"),
    path("queue/", views.queue, name="queue"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/transitions/<str:name>/", views.transition, name="transition"),
    path("<int:pk>/attachments/", views.attachment_upload, name="attachment_add"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.attachment_download, name="attachment"),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/delete/",
        views.attachment_remove,
        name="attachment_delete",
    ),
]
