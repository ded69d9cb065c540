import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """A request leaves its language active in the thread (Django's LocaleMiddleware does not
    reset it): the next test, in this worker, starts in the default language again."""
    yield
    translation.deactivate()
