"""The worker's access-log page names what a read showed in the page's language when the
reader gave no reason of their own (a reason given is shown as written)."""

from __future__ import annotations

from httpx import AsyncClient

from portfolio.accounts.principal import Role
from portfolio.archives import log_reads
from portfolio.settings import Settings
from tests.helpers import DEFAULT_PASSWORD, create_principal
from tests.web.pages import AGENCY, registered_worker, sign_in


async def test_a_read_without_a_reason_is_named_in_the_pages_language(
    web: AsyncClient, settings: Settings
) -> None:
    done = await registered_worker(settings)
    archive_id = done.worker.archive_id
    worker = await create_principal(settings, Role.WORKER, archive_id=archive_id)
    for what in ("completions list", "apprenticeship", "voucher eligibility"):
        await log_reads(AGENCY, [archive_id], what=what)
    await log_reads(AGENCY, [archive_id], what="class list", purpose="核对培训人数")
    await sign_in(web, worker.username, DEFAULT_PASSWORD)
    zh = (await web.get("/my/access-log")).text
    for shown in ("结业名单", "您的学徒培训协议", "您是否符合培训券申领条件", "核对培训人数"):
        assert shown in zh
    assert "completions list" not in zh
    en = (await web.get("/my/access-log", headers={"Accept-Language": "en"})).text
    assert "the list of completed trainings" in en
    assert "your apprenticeship agreement" in en
