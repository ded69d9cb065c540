import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from people.factories import UserFactory

from .models import Job
from .viewer import viewer_fingerprint


class JobFactory(factory.django.DjangoModelFactory):
    """A queued portfolio job; `running=True`, `ready=True` (with a PDF) or `failed=True`.

    States are written directly, as fixtures: the services move real jobs.
    """

    class Meta:
        model = Job

    kind = Job.Kind.ROUND_PORTFOLIO
    owner = factory.SubFactory(UserFactory, fund_manager=True)
    title = "Portfolio report: Round 1"
    params = factory.LazyFunction(dict)

    class Params:
        running = factory.Trait(state=Job.State.RUNNING,
                                started_at=factory.LazyFunction(timezone.now))
        ready = factory.Trait(
            state=Job.State.READY, started_at=factory.LazyFunction(timezone.now),
            finished_at=factory.LazyFunction(timezone.now),
            result=factory.LazyFunction(lambda: ContentFile(b"%PDF-1.4 demo", name="report.pdf")),
            result_name="report.pdf", result_content_type="application/pdf",
            # As the job would have read the data: what its owner may see now.
            viewer_fingerprint=factory.LazyAttribute(lambda job: viewer_fingerprint(job.owner)),
        )
        failed = factory.Trait(
            state=Job.State.FAILED, finished_at=factory.LazyFunction(timezone.now),
            error="The round no longer exists.",
        )
