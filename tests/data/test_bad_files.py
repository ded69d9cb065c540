"""Files that cannot be read at all (empty, binary, over 20 MB), refused by the /data/
import page, the admin's import and the commands: the message names the problem beside
the file field (or as the command's error), and nothing in the database changes."""

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from people.factories import AgencyFactory
from people.models import Agency, User

pytestmark = pytest.mark.django_db

TWENTY_ONE_MB = 21 * 1024 * 1024
BINARY = bytes(range(256)) * 64  # NUL bytes and all: an executable, an image...
# (file name, content, words of the message)
BAD_FILES = [
    ("empty.csv", b"", "empty"),
    ("blank.csv", b"\n\n  \n", "is empty"),
    ("binary.csv", BINARY, "not a text CSV file"),
    ("binary.xlsx", BINARY, "not a readable XLSX workbook"),
    ("latin1.csv", "code,name,kind\nTHI,Thimphu é,agency\n".encode("latin-1"), "not UTF-8"),
]
PAGES = [
    ("/data/import/", {"kind": "agencies"}),
    ("/data/import/", {"kind": "civil-servants"}),
    ("/admin/people/agency/import/", {}),
    ("/admin/people/user/import/", {}),
]


@pytest.fixture
def before(db):
    AgencyFactory(code="MOH")
    return snapshot()


def snapshot():
    return (list(Agency.objects.values_list("code", "name", "kind")),
            list(User.objects.values_list("username", "employee_id", "agency_id")))


def post(client, url, extra, upload):
    response = client.post(url, {**extra, "file": upload})
    assert response.status_code == 200
    return response


def assert_refused_beside_the_file_field(response, words):
    form = response.context["form"]
    assert any(words in e for e in form.errors["file"]), form.errors
    assert response.context["report"] is None and response.context["pending"] is None
    assert "pending_import" not in response.wsgi_request.session


@pytest.mark.parametrize("url, extra", PAGES)
@pytest.mark.parametrize("name, content, words", BAD_FILES)
def test_pages_refuse_a_file_that_cannot_be_read(client, admin_user, before, url, extra, name,
                                                 content, words):
    client.force_login(admin_user)
    response = post(client, url, extra, SimpleUploadedFile(name, content))
    assert_refused_beside_the_file_field(response, words)
    assert snapshot() == before


@pytest.mark.parametrize("url, extra", PAGES)
def test_pages_refuse_a_file_over_20_mb(client, admin_user, before, url, extra):
    client.force_login(admin_user)
    big = SimpleUploadedFile("big.csv", b"code,name,kind\n" + b"x" * TWENTY_ONE_MB)
    response = post(client, url, extra, big)
    assert_refused_beside_the_file_field(response, "the limit is 20 MB")
    assert "21.0 MB" in response.context["form"].errors["file"][0]
    assert snapshot() == before


@pytest.mark.parametrize("command", ["import_agencies", "import_civil_servants"])
@pytest.mark.parametrize("name, content, words", BAD_FILES)
def test_commands_refuse_a_file_that_cannot_be_read(tmp_path, before, command, name, content,
                                                    words):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CommandError, match=words) as exc:
        call_command(command, str(path))
    assert exc.value.returncode == 1  # manage.py prints it to stderr and exits with 1
    assert name in str(exc.value)
    assert snapshot() == before


@pytest.mark.parametrize("command", ["import_agencies", "import_civil_servants"])
def test_commands_refuse_a_file_over_20_mb_without_reading_it(tmp_path, before, command,
                                                              monkeypatch):
    path = tmp_path / "big.csv"
    with open(path, "wb") as f:  # sparse: 21 MB on paper, nothing on disk
        f.truncate(TWENTY_ONE_MB)
    read = []
    monkeypatch.setattr(type(path), "read_bytes", lambda self: read.append(self) or b"")
    with pytest.raises(CommandError, match="larger than 20 MB") as exc:
        call_command(command, str(path))
    assert exc.value.returncode == 1 and "big.csv" in str(exc.value)
    assert read == [] and os.path.getsize(path) == TWENTY_ONE_MB
    assert snapshot() == before


def test_command_refuses_a_file_that_is_not_csv_or_xlsx(tmp_path, before):
    path = tmp_path / "agencies.txt"
    path.write_text("code,name,kind\nX,X,agency\n")
    with pytest.raises(CommandError, match="not a CSV or XLSX file"):
        call_command("import_agencies", str(path))
    assert snapshot() == before
