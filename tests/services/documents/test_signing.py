"""The e-signing round: package out, signed PDFs back, verified by pyHanko, tampering refused."""

from __future__ import annotations

import json
import shutil
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import openpyxl
import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from sqlalchemy import select

from mediator.services.documents.signing import (
    import_signed,
    signing_status,
    signing_turnaround,
    write_sign_package,
)
from mediator.store.database import Database
from mediator.store.tables import AgreementRow, BatchRow, CaseRow, SigningRow
from tests.fixtures.document_factories import COMPANY_NAME, DocumentFixture, make_batch
from tests.fixtures.signing_helpers import SigningPki, make_ca, make_signer, sign_all, sign_field

SIGNERS = {
    "investor": "张䶮",
    "company": COMPANY_NAME,
    "mediator": "孙调解",
    "organisation": "江苏省证券业协会",
}
# Without the mediation organisation's seal (人民调解法 §29): not yet in effect.
WITHOUT_SEAL = {name: signer for name, signer in SIGNERS.items() if name != "organisation"}


@pytest.fixture
def package(database: Database, tmp_path: Path) -> tuple[DocumentFixture, Path]:
    fixture = make_batch(database, names=("张䶮", "李堃"))
    out = tmp_path / "package"
    write_sign_package(database, "第15批", out, jobs=1)
    return fixture, out


@pytest.fixture
def pki(tmp_path: Path) -> SigningPki:
    return make_ca(tmp_path)


def _case(database: Database, case_id: int) -> CaseRow:
    with database.session() as session:
        case = session.get(CaseRow, case_id)
        assert case is not None
        return case


def _returned(tmp_path: Path, name: str, data: bytes) -> Path:
    folder = tmp_path / "returned"
    folder.mkdir(exist_ok=True)
    (folder / name).write_bytes(data)
    return folder


def test_package_has_pdfs_and_manifests(package: tuple, database: Database) -> None:
    fixture, out = package
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    documents = manifest["documents"]
    assert [d["case"] for d in documents] == fixture.case_numbers
    import hashlib

    for document, phone, name in zip(documents, fixture.phones, fixture.names, strict=True):
        pdf = out / document["file"]
        assert hashlib.sha256(pdf.read_bytes()).hexdigest() == document["sha256"]
        assert document["signers"] == [name, COMPANY_NAME, "孙调解", "江苏省证券业协会"]
        assert document["phones"][0] == phone  # in full: the court's module texts the signers
    assert manifest["fields"] == ["investor", "company", "mediator", "organisation"]
    sheet = openpyxl.load_workbook(out / "manifest.xlsx").active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == fixture.case_numbers[0]
    assert rows[1][2] == documents[0]["sha256"]
    assert rows[1][5] == fixture.phones[0]
    assert rows[0][-1] == "调解组织（印章）" and rows[1][-1] == "江苏省证券业协会"
    with database.session() as session:
        batch = session.scalars(select(BatchRow)).one()
        assert batch.signing_package_at is not None


def test_sign_verify_import_round_trip(
    package: tuple, database: Database, pki: SigningPki, tmp_path: Path
) -> None:
    fixture, out = package
    original = (out / "（2025）苏01民初3100号.pdf").read_bytes()
    signed = sign_all(original, pki, SIGNERS)
    unsigned = (out / "（2025）苏01民初3101号.pdf").read_bytes()
    folder = _returned(tmp_path, "a.pdf", signed)
    (folder / "b.pdf").write_bytes(unsigned)

    report = import_signed(database, folder, trust_roots=pki.ca_pem)

    outcomes = {d.file: (d.outcome, d.reason) for d in report.documents}
    assert outcomes["a.pdf"] == ("accepted", None)
    assert outcomes["b.pdf"][0] == "rejected"
    assert "没有任何电子签名" in outcomes["b.pdf"][1]
    accepted = report.documents[0]
    assert accepted.case_number == fixture.case_numbers[0]
    assert accepted.warnings == []
    assert {s.field: s.signer for s in accepted.signatures} == SIGNERS
    assert all(s.intact and s.valid and s.trusted for s in accepted.signatures)
    case = _case(database, fixture.case_ids[0])
    assert case.status == "signed"
    assert case.signed_at is not None and case.signed_on is not None
    assert _case(database, fixture.case_ids[1]).status == "agreed"
    with database.session() as session:
        rows = session.scalars(select(SigningRow)).all()
        assert sorted(r.field_name for r in rows) == ["company", "investor", "mediator", "organisation"]
        agreement = session.scalars(
            select(AgreementRow).where(AgreementRow.case_id == fixture.case_ids[0])
        ).one()
        assert agreement.effective_on == case.signed_on
        median, longest = signing_turnaround(session, fixture.batch_id)  # type: ignore[misc]
        assert timedelta(0) <= median <= longest < timedelta(minutes=5)
    status = signing_status(database, 15)
    assert (status.signed, status.agreed) == (1, 1)
    assert "第15批：已签署 1 件，待签署 1 件。" in status.summary()
    assert "投资者、上市公司、调解员、调解组织印章共 4 处全部签署" in status.summary()
    assert status.as_json()["fields"] == ["investor", "company", "mediator", "organisation"]

    # Importing the same file again changes nothing and says so.
    again = import_signed(database, folder, trust_roots=pki.ca_pem)
    assert again.documents[0].outcome == "already_signed"
    with database.session() as session:
        assert len(session.scalars(select(SigningRow)).all()) == 4


def test_changed_bytes_are_rejected_and_case_unchanged(
    package: tuple, database: Database, pki: SigningPki, tmp_path: Path
) -> None:
    fixture, out = package
    original = (out / "（2025）苏01民初3100号.pdf").read_bytes()
    signed = bytearray(sign_all(original, pki, SIGNERS))
    position = len(original) // 2  # inside the first revision, covered by every signature
    signed[position] ^= 0x01
    folder = _returned(tmp_path, "tampered.pdf", bytes(signed))

    report = import_signed(database, folder, trust_roots=pki.ca_pem)

    assert report.documents[0].outcome == "rejected"
    assert "签名后文件被修改" in (report.documents[0].reason or "")
    assert _case(database, fixture.case_ids[0]).status == "agreed"
    with database.session() as session:
        assert session.scalars(select(SigningRow)).all() == []


def test_page_content_added_after_signing_is_rejected(
    package: tuple, database: Database, pki: SigningPki, tmp_path: Path
) -> None:
    fixture, out = package
    signed = sign_all((out / "（2025）苏01民初3100号.pdf").read_bytes(), pki, SIGNERS)
    writer = IncrementalPdfFileWriter(BytesIO(signed))
    overlay = writer.add_object(generic.StreamObject(stream_data=b"0 0 1 rg 100 100 200 50 re f"))
    writer.add_stream_to_page(0, overlay)
    buffer = BytesIO()
    writer.write(buffer)
    folder = _returned(tmp_path, "overlay.pdf", buffer.getvalue())

    report = import_signed(database, folder, trust_roots=pki.ca_pem)

    assert report.documents[0].outcome == "rejected"
    assert "签名之后文件内容被修改" in (report.documents[0].reason or "")
    assert _case(database, fixture.case_ids[0]).status == "agreed"


def test_untrusted_certificate_is_a_warning_unless_strict(
    package: tuple, database: Database, pki: SigningPki, tmp_path: Path
) -> None:
    fixture, out = package
    signed = sign_all((out / "（2025）苏01民初3100号.pdf").read_bytes(), pki, SIGNERS)
    folder = _returned(tmp_path, "a.pdf", signed)
    other_root = make_ca(tmp_path, "另一家认证中心").ca_pem

    strict = import_signed(database, folder, trust_roots=other_root, strict=True)
    assert strict.documents[0].outcome == "rejected"
    assert "不在受信任的根证书之下" in (strict.documents[0].reason or "")
    assert _case(database, fixture.case_ids[0]).status == "agreed"

    lenient = import_signed(database, folder, trust_roots=other_root)
    assert lenient.documents[0].outcome == "accepted"
    assert len(lenient.documents[0].warnings) == 4
    assert _case(database, fixture.case_ids[0]).status == "signed"


def test_partly_signed_and_unknown_documents_change_nothing(
    package: tuple, database: Database, pki: SigningPki, tmp_path: Path
) -> None:
    fixture, out = package
    original = (out / "（2025）苏01民初3100号.pdf").read_bytes()
    partly = sign_field(original, "investor", make_signer(pki, "张䶮"))
    folder = _returned(tmp_path, "partly.pdf", partly)
    shutil.copy(out / "（2025）苏01民初3101号.pdf", folder / "unknown.pdf")
    with database.transaction() as session:
        agreement = session.scalars(
            select(AgreementRow).where(AgreementRow.case_id == fixture.case_ids[1])
        ).one()
        agreement.fingerprint = "0" * 64  # the data changed since this copy was made
    unknown_signed = sign_all((folder / "unknown.pdf").read_bytes(), pki, SIGNERS)
    (folder / "unknown.pdf").write_bytes(unknown_signed)

    report = import_signed(database, folder, trust_roots=pki.ca_pem)

    outcomes = {d.file: d for d in report.documents}
    assert outcomes["partly.pdf"].outcome == "incomplete"
    assert "上市公司" in (outcomes["partly.pdf"].reason or "") and "调解员" in (
        outcomes["partly.pdf"].reason or ""
    )
    assert outcomes["unknown.pdf"].outcome == "rejected"
    assert "指纹" in (outcomes["unknown.pdf"].reason or "")
    assert [_case(database, i).status for i in fixture.case_ids] == ["agreed", "agreed"]
    with database.session() as session:
        assert session.scalars(select(SigningRow)).all() == []


def test_round_trip_on_sqlite_and_postgresql(any_database: Database, pki: SigningPki, tmp_path: Path) -> None:
    fixture = make_batch(any_database, names=("张䶮",))
    package = write_sign_package(any_database, 15, tmp_path / "package", jobs=1)
    signed = sign_all((tmp_path / "package" / package.entries[0].file).read_bytes(), pki, SIGNERS)
    report = import_signed(any_database, _returned(tmp_path, "a.pdf", signed), trust_roots=pki.ca_pem)
    assert report.documents[0].outcome == "accepted"
    assert _case(any_database, fixture.case_ids[0]).status == "signed"
    with any_database.session() as session:
        assert signing_turnaround(session, fixture.batch_id) is not None


def test_three_signatures_without_the_organisations_seal_leave_the_case_unsigned(
    package: tuple, database: Database, pki: SigningPki, tmp_path: Path
) -> None:
    fixture, out = package
    signed = sign_all((out / "（2025）苏01民初3100号.pdf").read_bytes(), pki, WITHOUT_SEAL)
    folder = _returned(tmp_path, "three.pdf", signed)

    report = import_signed(database, folder, trust_roots=pki.ca_pem)

    assert report.documents[0].outcome == "incomplete"
    assert report.documents[0].reason == "尚缺调解组织印章的签名"
    case = _case(database, fixture.case_ids[0])
    assert (case.status, case.signed_on) == ("agreed", None)
    with database.session() as session:
        agreement = session.scalars(
            select(AgreementRow).where(AgreementRow.case_id == fixture.case_ids[0])
        ).one()
        assert agreement.effective_on is None  # the confirmation window has not started
        assert session.scalars(select(SigningRow)).all() == []

    # The seal added afterwards completes it.
    sealed = sign_field(signed, "organisation", make_signer(pki, "江苏省证券业协会"))
    (folder / "three.pdf").write_bytes(sealed)
    again = import_signed(database, folder, trust_roots=pki.ca_pem)
    assert again.documents[0].outcome == "accepted"
    assert _case(database, fixture.case_ids[0]).status == "signed"
