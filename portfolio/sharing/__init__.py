"""Share links, paper that verifies and the worker's export of everything.

* ``documents``: the share link as stored (the token only as its SHA-256);
* ``items``: what of an archive may be shared (certificates with corrections applied,
  completed training, apprenticeships, awards), each named by its first entry's ``seq``;
* ``links``: the worker makes, lists and revokes links; ``opening``: anyone with a link opens
  it (expiry, revocation, access code with its throttle, the view counted and logged);
* ``paper``: what the printable PDFs show (the HTTP layer renders them);
* ``export_bundle``: the archive as JSON for the worker's one download.
"""
