import pytest

from people.factories import UserFactory


@pytest.mark.django_db
def test_roles_come_from_groups():
    manager = UserFactory(fund_manager=True)
    officer = UserFactory(hr_officer=True)
    servant = UserFactory()
    assert manager.is_fund_manager and not manager.is_hr_officer
    assert officer.is_hr_officer and not officer.is_fund_manager
    assert not servant.is_fund_manager and not servant.is_hr_officer


@pytest.mark.django_db
def test_inactive_user_holds_no_role():
    manager = UserFactory(fund_manager=True, is_active=False)
    assert not manager.is_fund_manager
