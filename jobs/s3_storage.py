"""Job files on S3-compatible storage (`MEDIA_STORAGE=s3`; settings name this module only then,
so boto3 is not imported where files stay on disk)."""

from storages.backends.s3 import S3Storage

from .storage import NO_URL


class PrivateS3JobStorage(S3Storage):
    """The media bucket's `private-jobs/` prefix: private objects, and no URL, not even a signed
    one (the bytes go through the download views, which check who asks)."""

    def url(self, name, parameters=None, expire=None, http_method=None):
        raise ValueError(NO_URL)
