"""The per-worker archive: identity, links, the tamper-evident entries and the access log.

The public face of the area: what other areas may use (they import from ``portfolio.archives``,
never from its modules). Other areas read an ``Archive`` they were given (its fields are the
worker's facts) but never query or write archive documents themselves: they ask these
functions (find a worker by number and name, has this archive an entry of kind K about X,
append an entry).
"""

from portfolio.archives.access import log_reads
from portfolio.archives.documents import (
    AccessAction,
    Archive,
    EmploymentRegistration,
    InsuranceScheme,
    Recorder,
    RegistrationKind,
)
from portfolio.archives.entries import NewEntry, append_entry, commit_entries, plan_entries
from portfolio.archives.finding import (
    CertificateStanding,
    EntryFacts,
    WorkerRef,
    archive_by_id,
    archive_ids_in_region,
    archives_in_region,
    certificate_standing,
    count_in_region,
    entries_of,
    entry_about,
    entry_at,
    find_worker,
    match_workers,
)
from portfolio.archives.kinds import EntryKind
from portfolio.archives.links import add_employment_registration, close_employment_registration
from portfolio.archives.personal import birth_date_of, id_number_of, open_birth_date, open_phone
from portfolio.archives.reading import highest_level
from portfolio.archives.registration import check_name
from portfolio.archives.scope import archive_for_agency, require_worker, to_bson

__all__ = [
    "AccessAction",
    "Archive",
    "CertificateStanding",
    "EmploymentRegistration",
    "EntryFacts",
    "EntryKind",
    "InsuranceScheme",
    "NewEntry",
    "Recorder",
    "RegistrationKind",
    "WorkerRef",
    "add_employment_registration",
    "append_entry",
    "archive_by_id",
    "archive_for_agency",
    "archive_ids_in_region",
    "archives_in_region",
    "birth_date_of",
    "certificate_standing",
    "check_name",
    "close_employment_registration",
    "commit_entries",
    "count_in_region",
    "entries_of",
    "entry_about",
    "entry_at",
    "find_worker",
    "highest_level",
    "id_number_of",
    "log_reads",
    "match_workers",
    "open_birth_date",
    "open_phone",
    "plan_entries",
    "require_worker",
    "to_bson",
]
