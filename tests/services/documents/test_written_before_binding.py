"""Agreements written before the app kept its files' SHA-256 cannot have their signed copies proven
to be the app's: such a copy is refused with what to do (write the agreement again), never
accepted on its fingerprint alone; the agreement written again is signed and accepted."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import delete, select

from mediator.services.documents.agreement import generate_agreements
from mediator.services.documents.reissue import reissue_agreement
from mediator.services.documents.signing import import_signed, write_sign_package
from mediator.store.database import Database
from mediator.store.tables import AgreementFileRow, CaseRow
from tests.fixtures.document_factories import COMPANY_NAME, make_batch
from tests.fixtures.signing_helpers import make_ca, sign_all

NAME = "张䶮"
SIGNERS = {
    "investor": NAME,
    "company": COMPANY_NAME,
    "mediator": "孙调解",
    "organisation": "江苏省证券业协会",
}
FILE = "（2025）苏01民初3100号.pdf"


def _forget_written_files(database: Database) -> None:
    """What a database from before the binding looks like: agreements, no file hashes."""
    with database.transaction() as session:
        session.execute(delete(AgreementFileRow))


def test_an_unsigned_agreement_from_before_the_binding_is_written_again_by_a_batch_run(
    database: Database, tmp_path: Path
) -> None:
    make_batch(database, names=(NAME,))
    write_sign_package(database, 15, tmp_path / "old", jobs=1)
    _forget_written_files(database)
    pki = make_ca(tmp_path)
    old_signed = sign_all((tmp_path / "old" / FILE).read_bytes(), pki, SIGNERS)
    folder = tmp_path / "returned"
    folder.mkdir()
    (folder / "a.pdf").write_bytes(old_signed)
    report = import_signed(database, folder, trust_roots=pki.ca_pem)
    assert report.documents[0].outcome == "rejected"
    reason = report.documents[0].reason or ""
    assert "开始保存协议文件指纹之前" in reason and "mediator agreements --batch" in reason
    with database.session() as session:
        assert session.scalars(select(CaseRow.status)).all() == ["agreed"]
    # A batch run writes it again and keeps its SHA-256: the new file, signed, is accepted.
    generate_agreements(database, batch=15, out_dir=tmp_path / "new", jobs=1)
    (folder / "a.pdf").write_bytes(sign_all((tmp_path / "new" / FILE).read_bytes(), pki, SIGNERS))
    assert import_signed(database, folder, trust_roots=pki.ca_pem).documents[0].outcome == "accepted"


def test_a_signed_agreement_from_before_the_binding_is_re_issued(database: Database, tmp_path: Path) -> None:
    make_batch(database, names=(NAME,), status="signed")
    generate_agreements(database, batch=15, out_dir=tmp_path / "old", jobs=1, reprint_signed=True)
    _forget_written_files(database)
    pki = make_ca(tmp_path)
    folder = tmp_path / "returned"
    folder.mkdir()
    (folder / "a.pdf").write_bytes(sign_all((tmp_path / "old" / FILE).read_bytes(), pki, SIGNERS))
    report = import_signed(database, folder, trust_roots=pki.ca_pem)
    assert report.documents[0].outcome == "rejected"
    assert "mediator agreements --reissue" in (report.documents[0].reason or "")
    # The re-issued agreement (new number, its file's SHA-256 kept) is signed and accepted.
    run = reissue_agreement(
        database, "（2025）苏01民初3100号", reason="原协议无文件记录", out_dir=tmp_path / "r"
    )
    (folder / "a.pdf").write_bytes(sign_all(run.files[0].path.read_bytes(), pki, SIGNERS))
    assert import_signed(database, folder, trust_roots=pki.ca_pem).documents[0].outcome == "accepted"
