from django.urls import path

from . import views
from .figures import FIGURES, PUBLIC_FIGURES

app_name = "analytics"

urlpatterns = [
    path("", views.index, name="index"),
    path("public/", views.public_index, name="public_index"),
    *[path(f"{key}/", views.figure_view(key), name=key) for key in FIGURES],
    *[path(f"public/{key}/", views.public_figure_view(key), name=f"public_{key}")
      for key in PUBLIC_FIGURES],
]
