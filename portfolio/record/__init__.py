"""The worker's own record as the worker's pages show it.

Read-side use cases composed from the areas that write a worker's life (archives, training,
vouchers): the home page's summary and inbox (``home``, ``inbox``), the filtered timeline and an
entry's place in the chain (``timeline``), the certificates as the archive records them and
their public check links (``certificates``, ``links``), and the readable access log
(``access_log``). Every function takes the worker's actor and reaches only that worker's
archive; nothing here writes, except the first use of the check-link key (``links``).
"""
