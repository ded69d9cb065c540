"""Where job files live: on disk under MEDIA_ROOT/private-jobs, and never at a URL.

A job's input (an uploaded import file) and result (a PDF) leave only through the
permission-checked download view; the storage refuses to make a URL for them.
"""

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.functional import cached_property


class PrivateJobStorage(FileSystemStorage):
    @cached_property
    def base_location(self):  # follows MEDIA_ROOT, also when tests change it
        return Path(settings.MEDIA_ROOT) / "private-jobs"

    def url(self, name):
        raise ValueError("Job files have no URL: they are served by jobs.views.job_result only.")


_storage = PrivateJobStorage()


def job_storage() -> PrivateJobStorage:
    """The storage of job files (a callable, so migrations do not freeze its location)."""
    return _storage
