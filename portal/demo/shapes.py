"""The shapes every demo builder repeats, written once: a proposal's texts as the drafting
service takes them, the panel's members, and a progress line when there is somewhere to say it."""

# The panels of the open round and of the pilot round have the same members, from four
# agencies: NSB, MOICE, TDA, MOIT.
PANEL_MEMBERS = ("tashi", "ugyen", "jigme", "yangchen")


def proposal_text(summary, problem, hypothesis, success, approach, citizens, outcomes) -> dict:
    """A proposal's long texts, in the order a civil servant writes them."""
    return {
        "summary": summary, "problem": problem, "hypothesis": hypothesis,
        "success_criteria": success, "approach": approach, "citizen_engagement": citizens,
        "expected_outcomes": outcomes,
    }


def say(stdout, message: str) -> None:
    if stdout is not None:
        stdout.write(message)
