"""The replica router: reads of exports and analytics go to `replica`, everything else stays."""

from unittest import mock

import pytest
from django.http import HttpResponse, StreamingHttpResponse
from django.test import RequestFactory

from config import db_router
from config.db_router import ReplicaReadsMiddleware, ReplicaRouter, replica_reads
from fund.models import Award
from jobs.models import Job
from people.models import User
from proposals.models import Proposal


@pytest.fixture
def with_replica(settings, monkeypatch):
    monkeypatch.setattr(db_router, "replica_configured", lambda: True)  # a `replica` alias
    settings.DATABASE_REPLICA_PATHS = ["/data/export/", "/api/v1/awards/360giving.json"]
    settings.DATABASE_REPLICA_JOB_KINDS = ["export"]
    return settings


def test_reads_go_to_the_replica_only_inside_replica_reads(with_replica):
    router = ReplicaRouter()
    assert router.db_for_read(Proposal) == "default"
    with replica_reads():
        assert router.db_for_read(Proposal) == "replica"
        assert router.db_for_read(Award) == "replica"
        # Who is asking, and rows written or locked within a request, stay on the primary.
        assert router.db_for_read(User) == "default"
        assert router.db_for_read(Job) == "default"
        assert router.db_for_write(Proposal) == "default"
    assert router.db_for_read(Proposal) == "default"


def test_without_a_replica_everything_stays_on_default():
    assert not db_router.replica_configured()  # no DATABASE_REPLICA_URL in the tests
    with replica_reads():
        assert ReplicaRouter().db_for_read(Proposal) == "default"


def test_only_default_is_migrated():
    router = ReplicaRouter()
    assert router.allow_migrate("default", "proposals") is True
    assert router.allow_migrate("replica", "proposals") is False


def _seen_by_view(request):
    return HttpResponse(ReplicaRouter().db_for_read(Proposal))


@pytest.mark.parametrize(("method", "path", "expected"), [
    ("get", "/data/export/proposals.csv", "replica"),
    ("get", "/api/v1/awards/360giving.json", "replica"),
    ("post", "/data/export/proposals.csv", "default"),   # never for a change
    ("get", "/proposals/", "default"),
    ("get", "/api/v1/awards/", "default"),
])
def test_the_middleware_opens_replica_reads_for_export_paths(with_replica, method, path, expected):
    request = getattr(RequestFactory(), method)(path)
    response = ReplicaReadsMiddleware(_seen_by_view)(request)
    assert response.content.decode() == expected
    assert ReplicaRouter().db_for_read(Proposal) == "default"  # closed after the answer


def test_a_streamed_export_reads_from_the_replica_while_it_streams(with_replica):
    def view(request):
        return StreamingHttpResponse(ReplicaRouter().db_for_read(Proposal) for _ in range(2))

    response = ReplicaReadsMiddleware(view)(RequestFactory().get("/data/export/proposals.csv"))
    assert ReplicaRouter().db_for_read(Proposal) == "default"  # the view has returned
    assert b"".join(response.streaming_content) == b"replicareplica"
    assert ReplicaRouter().db_for_read(Proposal) == "default"


def test_a_job_of_a_replica_kind_reads_from_the_replica_while_it_runs(with_replica):
    task = mock.Mock()
    task.name = "jobs.run_job"
    with mock.patch.object(db_router, "_job_kind", return_value="export"):
        db_router.task_starts(task_id="t1", task=task, args=(7,), kwargs={})
    assert ReplicaRouter().db_for_read(Proposal) == "replica"
    db_router.task_ends(task_id="t1")
    assert ReplicaRouter().db_for_read(Proposal) == "default"
    with mock.patch.object(db_router, "_job_kind", return_value="round_portfolio"):
        db_router.task_starts(task_id="t2", task=task, args=(8,), kwargs={})
    assert ReplicaRouter().db_for_read(Proposal) == "default"
    db_router.task_ends(task_id="t2")
