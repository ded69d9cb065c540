"""Where job files live: `STORAGES["jobs"]`, never at a URL.

On one machine (`MEDIA_STORAGE=filesystem`, the default) under MEDIA_ROOT/private-jobs; with
`MEDIA_STORAGE=s3` in the media bucket under `AWS_JOBS_LOCATION` ("private-jobs";
`jobs.s3_storage`, imported only then), so that a
worker on one machine writes the file that a web instance on another serves. A job's input (an
uploaded import file) and result (an export, a PDF) leave only through the permission-checked
download views; both storages refuse to make a URL for them.
"""

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.utils.functional import cached_property

NO_URL = "Job files have no URL: they are served by the jobs' permission-checked views only."


class PrivateJobStorage(FileSystemStorage):
    @cached_property
    def base_location(self):  # follows MEDIA_ROOT, also when tests change it
        return Path(settings.MEDIA_ROOT) / "private-jobs"

    def url(self, name):
        raise ValueError(NO_URL)


def job_storage():
    """The storage of job files (a callable, so migrations do not freeze its location)."""
    return storages["jobs"]
