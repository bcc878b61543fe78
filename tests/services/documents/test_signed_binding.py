"""Signed agreements are bound to their case: the first revision must be a file the app wrote,
nothing but signatures and form filling may follow it, each field's signer is the field's party;
``signed-import`` is one transaction that a kill or a cancel leaves as it was, and a file the PDF
parser chokes on is rejected on its own."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from io import BytesIO
from pathlib import Path

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from sqlalchemy import func, select

from mediator.errors import Cancelled
from mediator.services.documents import layout as pdf_layout
from mediator.services.documents.agreement import generate_agreements
from mediator.services.documents.signing import import_signed, write_sign_package
from mediator.services.progress import Progress
from mediator.store.database import Database
from mediator.store.tables import AgreementFileRow, CaseRow, SigningRow
from tests.fixtures.document_factories import COMPANY_NAME, DocumentFixture, make_batch
from tests.fixtures.signing_helpers import SigningPki, make_ca, make_signer, sign_all, sign_field

NAMES = ("张䶮", "李堃", "王喆", "赵赟")
ORGANISATION = "江苏省证券业协会"


def _signers(investor: str) -> dict[str, str]:
    return {"investor": investor, "company": COMPANY_NAME, "mediator": "孙调解", "organisation": ORGANISATION}


@pytest.fixture
def pki(tmp_path: Path) -> SigningPki:
    return make_ca(tmp_path)


def _package(
    database: Database, tmp_path: Path, names: tuple[str, ...] = NAMES[:2]
) -> tuple[DocumentFixture, Path]:
    fixture = make_batch(database, names=names)
    out = tmp_path / "package"
    write_sign_package(database, "第15批", out, jobs=1)
    return fixture, out


def _file(out: Path, index: int) -> bytes:
    return (out / f"（2025）苏01民初{3100 + index}号.pdf").read_bytes()


def _statuses(database: Database, fixture: DocumentFixture) -> list[str]:
    with database.session() as session:
        return [session.get(CaseRow, i).status for i in fixture.case_ids]  # type: ignore[union-attr]


def _signings(database: Database) -> int:
    with database.session() as session:
        return int(session.scalar(select(func.count()).select_from(SigningRow)) or 0)


def _folder(tmp_path: Path, files: dict[str, bytes]) -> Path:
    folder = tmp_path / "returned"
    folder.mkdir(exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def _fingerprint(pdf: bytes) -> str:
    info = PdfFileReader(BytesIO(pdf), strict=False).trailer["/Info"]
    return str(info[f"/{pdf_layout.FINGERPRINT_INFO_KEY}"])


def test_the_app_keeps_the_hash_of_every_agreement_it_writes(database: Database, tmp_path: Path) -> None:
    fixture = make_batch(database, names=NAMES[:2])
    generate_agreements(database, batch=15, out_dir=tmp_path / "out", jobs=1)
    write_sign_package(database, 15, tmp_path / "package", jobs=1)
    with database.session() as session:
        kept = session.scalars(select(AgreementFileRow.sha256)).all()
    assert len(kept) == 4 and len(fixture.case_ids) == 2


def test_an_update_after_signing_carrying_another_cases_fingerprint_registers_nothing_of_that_case(
    database: Database, tmp_path: Path, pki: SigningPki
) -> None:
    fixture, out = _package(database, tmp_path)
    signed = sign_all(_file(out, 0), pki, _signers(NAMES[0]))
    writer = IncrementalPdfFileWriter(BytesIO(signed))
    info = writer.trailer["/Info"]
    info[generic.NameObject(f"/{pdf_layout.FINGERPRINT_INFO_KEY}")] = generic.TextStringObject(
        _fingerprint(_file(out, 1))
    )
    writer.update_container(info)
    forged = BytesIO()
    writer.write(forged)
    assert _fingerprint(forged.getvalue()) == _fingerprint(_file(out, 1))

    report = import_signed(database, _folder(tmp_path, {"forged.pdf": forged.getvalue()}), strict=True,
                           trust_roots=pki.ca_pem)  # fmt: skip

    # The signatures cover case 3100's agreement: that is the only case it can register.
    assert _statuses(database, fixture)[1] == "agreed"
    assert report.documents[0].case_number in (None, fixture.case_numbers[0])


def test_a_first_revision_the_app_did_not_write_is_refused(
    database: Database, tmp_path: Path, pki: SigningPki
) -> None:
    fixture, out = _package(database, tmp_path)
    original = _file(out, 0)
    assert b"ReportLab" in original
    altered = original.replace(b"ReportLab", b"ReportLaX", 1)  # same length, still a valid PDF
    signed = sign_all(altered, pki, _signers(NAMES[0]))

    report = import_signed(database, _folder(tmp_path, {"altered.pdf": signed}), trust_roots=pki.ca_pem)

    assert report.documents[0].outcome == "rejected"
    assert "首版" in (report.documents[0].reason or "")
    assert _statuses(database, fixture) == ["agreed", "agreed"] and _signings(database) == 0


def test_content_changed_before_the_first_signature_is_refused(
    database: Database, tmp_path: Path, pki: SigningPki
) -> None:
    fixture, out = _package(database, tmp_path)
    writer = IncrementalPdfFileWriter(BytesIO(_file(out, 0)))
    overlay = writer.add_object(generic.StreamObject(stream_data=b"1 1 1 rg 100 600 300 40 re f"))
    writer.add_stream_to_page(0, overlay)  # e.g. white out the amount, then have it signed
    buffer = BytesIO()
    writer.write(buffer)
    signed = sign_all(buffer.getvalue(), pki, _signers(NAMES[0]))

    report = import_signed(database, _folder(tmp_path, {"whiteout.pdf": signed}), trust_roots=pki.ca_pem)

    assert report.documents[0].outcome == "rejected"
    assert "修改" in (report.documents[0].reason or "")
    assert _statuses(database, fixture) == ["agreed", "agreed"]


def test_one_certificate_signing_every_field_is_a_warning_and_refused_when_strict(
    database: Database, tmp_path: Path, pki: SigningPki
) -> None:
    fixture, out = _package(database, tmp_path)
    one = make_signer(pki, NAMES[0])
    signed = _file(out, 0)
    for field_name in ("investor", "company", "mediator", "organisation"):
        signed = sign_field(signed, field_name, one)
    folder = _folder(tmp_path, {"one.pdf": signed})

    strict = import_signed(database, folder, trust_roots=pki.ca_pem, strict=True)
    assert strict.documents[0].outcome == "rejected"
    assert "上市公司" in (strict.documents[0].reason or "") and NAMES[0] in (strict.documents[0].reason or "")
    assert _statuses(database, fixture) == ["agreed", "agreed"]

    lenient = import_signed(database, folder, trust_roots=pki.ca_pem)
    assert lenient.documents[0].outcome == "accepted"
    warnings = " ".join(lenient.documents[0].warnings)
    assert "上市公司" in warnings and "调解员" in warnings


def test_an_id_number_in_the_certificate_must_be_the_investors(
    database: Database, tmp_path: Path, pki: SigningPki
) -> None:
    fixture, out = _package(database, tmp_path)
    other_id = fixture.id_numbers[1]
    signed = sign_field(_file(out, 0), "investor", make_signer(pki, NAMES[0], serial_number=other_id))
    for field_name, name in list(_signers(NAMES[0]).items())[1:]:
        signed = sign_field(signed, field_name, make_signer(pki, name))
    folder = _folder(tmp_path, {"wrong-id.pdf": signed})

    report = import_signed(database, folder, trust_roots=pki.ca_pem, strict=True)

    assert report.documents[0].outcome == "rejected"
    assert "身份证号" in (report.documents[0].reason or "")
    assert other_id not in (report.documents[0].reason or "")  # never printed
    assert other_id not in str(report.documents[0].as_json())


def test_matching_id_number_and_uscc_are_accepted_when_strict(
    database: Database, tmp_path: Path, pki: SigningPki
) -> None:
    fixture, out = _package(database, tmp_path)
    with database.session() as session:
        case = session.get(CaseRow, fixture.case_ids[0])
        assert case is not None
        from mediator.store.tables import ListedCompanyRow

        company = session.get(ListedCompanyRow, case.company_id)
        assert company is not None and company.uscc
        uscc = company.uscc
    signed = sign_field(
        _file(out, 0), "investor", make_signer(pki, NAMES[0], serial_number=fixture.id_numbers[0])
    )
    signed = sign_field(
        signed, "company", make_signer(pki, COMPANY_NAME, serial_number=uscc, organization=COMPANY_NAME)
    )
    signed = sign_field(signed, "mediator", make_signer(pki, "孙调解"))
    signed = sign_field(signed, "organisation", make_signer(pki, ORGANISATION))

    report = import_signed(
        database, _folder(tmp_path, {"ok.pdf": signed}), trust_roots=pki.ca_pem, strict=True
    )

    assert report.documents[0].outcome == "accepted", report.documents[0].reason
    assert report.documents[0].warnings == []


def _deeply_nested_pdf(depth: int = 100_000) -> bytes:
    body = b"<< /Type /Catalog /Pages 2 0 R /X " + b"[" * depth + b"]" * depth + b" >>"
    objects = [
        b"1 0 obj\n" + body + b"\nendobj\n",
        b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n",
    ]
    out, offsets = b"%PDF-1.7\n", []
    for item in objects:
        offsets.append(len(out))
        out += item
    start = len(out)
    out += b"xref\n0 3\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer\n<< /Size 3 /Root 1 0 R /Info 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % start


def test_a_file_the_parser_chokes_on_is_rejected_alone(
    database: Database, tmp_path: Path, pki: SigningPki
) -> None:
    fixture, out = _package(database, tmp_path)
    good = sign_all(_file(out, 0), pki, _signers(NAMES[0]))
    folder = _folder(tmp_path, {"a-good.pdf": good, "b-nested.pdf": _deeply_nested_pdf()})

    report = import_signed(database, folder, trust_roots=pki.ca_pem)

    outcomes = {d.file: d for d in report.documents}
    assert outcomes["a-good.pdf"].outcome == "accepted"
    assert outcomes["b-nested.pdf"].outcome == "rejected"
    assert "无法解析" in (outcomes["b-nested.pdf"].reason or "")
    assert _statuses(database, fixture) == ["signed", "agreed"]


def _signed_folder(database: Database, tmp_path: Path, pki: SigningPki) -> tuple[DocumentFixture, Path]:
    fixture, out = _package(database, tmp_path, NAMES)
    files = {f"{i}.pdf": sign_all(_file(out, i), pki, _signers(name)) for i, name in enumerate(NAMES)}
    return fixture, _folder(tmp_path, files)


class _CancelAfter(Progress):
    def __init__(self, files: int) -> None:
        super().__init__()
        self.files = files

    def update(self, done: int, total: int | None = None, message: str | None = None) -> None:
        super().update(done, total, message)
        if done >= self.files:
            self.cancel()


def test_a_cancel_mid_import_writes_nothing(any_database: Database, tmp_path: Path, pki: SigningPki) -> None:
    fixture, folder = _signed_folder(any_database, tmp_path, pki)
    with pytest.raises(Cancelled):
        import_signed(any_database, folder, trust_roots=pki.ca_pem, progress=_CancelAfter(2))
    assert set(_statuses(any_database, fixture)) == {"agreed"} and _signings(any_database) == 0


_KILLED_IMPORT = """
import pathlib, sys, time
from mediator.services.documents.signing import import_signed
from mediator.services.progress import Progress
from mediator.store.database import open_database

class Stall(Progress):
    def update(self, done, total=None, message=None):
        super().update(done, total, message)
        if done >= 2:  # two files registered inside the open transaction: say so, then wait
            pathlib.Path(sys.argv[3]).touch()
            time.sleep(120)

db = open_database(sys.argv[1])
import_signed(db, pathlib.Path(sys.argv[2]), trust_roots=pathlib.Path(sys.argv[4]), progress=Stall())
"""


def test_a_kill_mid_import_leaves_the_database_as_it_was(
    any_database: Database, tmp_path: Path, pki: SigningPki
) -> None:
    fixture, folder = _signed_folder(any_database, tmp_path, pki)
    url = any_database.engine.url.render_as_string(hide_password=False)
    marker = tmp_path / "two-done"
    child = subprocess.Popen(
        [sys.executable, "-c", _KILLED_IMPORT, url, str(folder), str(marker), str(pki.ca_pem)],
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert child.poll() is None, child.stderr.read().decode() if child.stderr else ""
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    assert set(_statuses(any_database, fixture)) == {"agreed"} and _signings(any_database) == 0
    again = import_signed(any_database, folder, trust_roots=pki.ca_pem)  # nothing half-done in the way
    assert again.count("accepted") == len(NAMES)


def test_the_seal_must_be_the_mediation_organisations(
    database: Database, tmp_path: Path, pki: SigningPki
) -> None:
    _fixture, out = _package(database, tmp_path)
    signers = {**_signers(NAMES[0]), "organisation": "某某调解中心"}
    signed = sign_all(_file(out, 0), pki, signers)

    report = import_signed(
        database, _folder(tmp_path, {"seal.pdf": signed}), trust_roots=pki.ca_pem, strict=True
    )

    assert report.documents[0].outcome == "rejected"
    assert "调解组织印章" in (report.documents[0].reason or "")
