"""With MEDIA_STORAGE=s3, a job's file is written to and read back from the bucket under
private-jobs/, private and with no URL (an S3 endpoint stood in for by moto)."""

import boto3
import pytest
from django.core.files.base import ContentFile
from moto import mock_aws

from jobs.s3_storage import PrivateS3JobStorage

BUCKET = "fund-media"


@pytest.fixture
def bucket(monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        yield client


def test_a_job_file_goes_to_the_bucket_privately_and_comes_back(bucket):
    storage = PrivateS3JobStorage(bucket_name=BUCKET, location="private-jobs",
                                  default_acl="private", region_name="us-east-1")
    name = storage.save("results/job-7/proposals.csv", ContentFile(b"id,title\n1,Clinic\n"))
    keys = [o["Key"] for o in bucket.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert keys == [f"private-jobs/{name}"]
    grants = bucket.get_object_acl(Bucket=BUCKET, Key=keys[0])["Grants"]
    assert [g["Permission"] for g in grants] == ["FULL_CONTROL"]  # the owner alone
    with storage.open(name, "rb") as handle:
        assert handle.read() == b"id,title\n1,Clinic\n"
    with pytest.raises(ValueError, match="no URL"):
        storage.url(name)
