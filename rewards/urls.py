from django.urls import path

from . import views

app_name = "rewards"
urlpatterns = [
    path("learnings/", views.learning_library, name="learning_library"),
    path("learnings/public/", views.learning_public, name="learning_public"),
    path("learnings/new/", views.learning_create, name="learning_create"),
    path("learnings/<int:pk>/", views.learning_detail, name="learning_detail"),
    path("learnings/<int:pk>/edit/", views.learning_edit, name="learning_edit"),
    path("learnings/<int:pk>/authors/<int:author_pk>/transitions/<slug:name>/",
         views.author_transition, name="author_transition"),
    path("recognitions/", views.recognition_list, name="recognition_list"),
    path("recognitions/new/", views.recognition_create, name="recognition_create"),
    path("nominations/", views.nomination_list, name="nomination_list"),
    path("nominations/new/", views.nomination_create, name="nomination_create"),
    path("nominations/<int:pk>/", views.nomination_detail, name="nomination_detail"),
    path("nominations/<int:pk>/transitions/<slug:name>/", views.nomination_transition,
         name="nomination_transition"),
    path("people/", views.people_list, name="people_list"),
    path("people/me/record/", views.my_record, name="my_record"),
    path("people/<int:pk>/record/", views.record, name="record"),
    path("people/<int:pk>/dossier.pdf", views.dossier, name="dossier"),
]
