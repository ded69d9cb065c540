"""One identity per agency and person: agency codes unique without regard to case, and so
usernames and employee IDs. 0003 has normalised the codes and stopped if duplicates remain."""

import django.db.models.functions.text
from django.db import migrations, models

import people.models


class Migration(migrations.Migration):

    dependencies = [
        ('auth', '0012_alter_user_first_name_max_length'),
        ('people', '0003_identity_normalise'),
    ]

    operations = [
        migrations.AlterField(
            model_name='agency',
            name='code',
            field=models.CharField(help_text='Short code, e.g. MOH: the letters A–Z, digits, - and _; stored upper-case.', max_length=20, validators=[people.models.validate_agency_code]),
        ),
        migrations.AddConstraint(
            model_name='agency',
            constraint=models.UniqueConstraint(django.db.models.functions.text.Upper('code'), name='people_agency_code_unique_any_case', violation_error_message='An agency with this code already exists.'),
        ),
        migrations.AddConstraint(
            model_name='user',
            constraint=models.UniqueConstraint(django.db.models.functions.text.Lower('username'), name='people_user_username_unique_any_case', violation_error_message='A person with this username already exists.'),
        ),
        migrations.AddConstraint(
            model_name='user',
            constraint=models.UniqueConstraint(django.db.models.functions.text.Lower('employee_id'), name='people_user_employee_id_unique_any_case', violation_error_message='A person with this employee ID already exists.'),
        ),
    ]
