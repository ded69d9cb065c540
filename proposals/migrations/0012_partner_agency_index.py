"""The proposals an agency partners in, read from an index alone (issue 17): the partner
agencies table (Django's own for `Proposal.partner_agencies`) is keyed by proposal; each
filtered Reviewing figure asks for an agency's proposals (analytics.facts.agency_digests)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('proposals', '0011_updated_index_covers_visibility'),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX proposal_partner_agency_proposal ON "
            "proposals_proposal_partner_agencies (agency_id, proposal_id)",
            reverse_sql="DROP INDEX proposal_partner_agency_proposal",
        ),
    ]
