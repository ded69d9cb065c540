"""What every write of reviews checks first: the round is not archived, a required text is given."""


from django.core.exceptions import ValidationError

from fund.models import Round

ARCHIVED = "This round is archived: nothing in it changes any more."


def _refuse_if_archived(round_: Round) -> None:
    """Nothing of an archived round changes (DOMAIN.md, "Finished rounds are frozen")."""
    if round_.state == Round.State.ARCHIVED:
        raise ValidationError(ARCHIVED)


def _required(value: str, field: str, message: str) -> str:
    if not (value or "").strip():
        raise ValidationError({field: message})
    return value.strip()
