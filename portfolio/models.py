"""Every Beanie document of the service, in one list for ``init_beanie``.

Each business area adds its documents here; tests empty exactly these collections.
"""

from __future__ import annotations

from beanie import Document

from portfolio.idempotency import IdempotencyRecord
from portfolio.keyring import StoredKey

DOCUMENT_MODELS: list[type[Document]] = [
    StoredKey,
    IdempotencyRecord,
]
