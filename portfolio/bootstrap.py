"""What runs once the database is bound: keys every area needs, and the optional demo data."""

from __future__ import annotations

from dataclasses import dataclass

from portfolio import credentials, subscriptions
from portfolio.accounts import actor_of, find_login
from portfolio.accounts import demo as accounts_demo
from portfolio.accounts.keys import ensure_signing_key
from portfolio.apprenticeships import demo as apprenticeships_demo
from portfolio.archives import demo as archives_demo
from portfolio.competitions import demo as competitions_demo
from portfolio.crossborder import demo as crossborder_demo
from portfolio.honours import demo as honours_demo
from portfolio.identity import ensure_keys
from portfolio.keyring import Keyring
from portfolio.occupations import demo as occupations_demo
from portfolio.planning import demo as planning_demo
from portfolio.priority import demo as priority_demo
from portfolio.projects import demo as projects_demo
from portfolio.recognition import demo as recognition_demo
from portfolio.settings import Settings
from portfolio.training import demo as training_demo
from portfolio.vouchers import demo as vouchers_demo


@dataclass(frozen=True)
class DemoLogin:
    """One demo account to print for a newcomer."""

    username: str
    password: str
    role: str
    description: str


async def prepare(*, settings: Settings, keyring: Keyring) -> None:
    """Make sure each area's keys exist and the event subscribers are installed (idempotent;
    safe on many replicas at once)."""
    subscriptions.install()
    credentials.configure(settings, keyring)
    await ensure_signing_key(keyring)
    await ensure_keys(keyring)


async def load_demo(*, settings: Settings, keyring: Keyring) -> list[DemoLogin]:
    """Load the demo data set once (idempotent) and return its logins."""
    if settings.env == "production":
        raise RuntimeError("demo data is refused in production mode")
    logins = [
        DemoLogin(
            account.username, accounts_demo.DEMO_PASSWORD, account.role.value, account.description
        )
        for account in await accounts_demo.ensure_demo_accounts(settings=settings)
    ]
    # The occupations the province agency added after the catalogue file.
    province = await find_login("agency-sichuan", keyring)
    if province is not None:
        await occupations_demo.ensure_demo_occupations(actor=actor_of(province))
    # The archives the demo worker logins are bound to (registered by the demo agencies).
    await archives_demo.ensure_demo_archives(settings=settings, keyring=keyring)
    # Providers, classes, attendance, completions and certificates of the demo workers.
    await training_demo.ensure_demo_training(keyring=keyring)
    # Voucher policies and vouchers in every state (bound to the training demo's classes).
    await vouchers_demo.ensure_demo_vouchers(keyring=keyring)
    # An enterprise, its mentors and worker-2's apprenticeship (after the training demo).
    await apprenticeships_demo.ensure_demo_apprenticeships(settings=settings, keyring=keyring)
    # A published provincial competition and two honours of the demo workers (issue 26).
    await competitions_demo.ensure_demo_competitions(keyring=keyring)
    await honours_demo.ensure_demo_honours(keyring=keyring)
    # Priority groups of the demo workers, one sensitive (issue 27).
    await priority_demo.ensure_demo_priority(keyring=keyring)
    # A training project bought from provider A, its first milestone paid (issue 27).
    await projects_demo.ensure_demo_projects(settings=settings, keyring=keyring)
    # Accredited bodies, norms, certificates by every road and a recognition waiting.
    await recognition_demo.ensure_demo_recognition(settings=settings, keyring=keyring)
    # The plan's targets, employed counts and platforms with linked training (issue 27).
    await planning_demo.ensure_demo_planning()
    # A Chongqing certificate and a foreign qualification recognised, one refused (issue 27).
    await crossborder_demo.ensure_demo_borders(keyring=keyring)
    return logins
