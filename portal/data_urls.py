"""The /data/ pages (config/urls.py includes them under data/; namespace `data`)."""

from django.urls import path

from . import data_views

app_name = "data"
urlpatterns = [
    path("import/", data_views.import_file, name="import"),
    path("import/confirm/", data_views.import_confirm, name="import_confirm"),
    path("export/", data_views.export_list, name="exports"),
    path("export/360giving.<str:fmt>", data_views.export_360giving, name="export_360giving"),
    path("export/<slug:kind>.<str:fmt>", data_views.export_file, name="export"),
]
