"""``python -m api`` is the ``portfolio`` command."""

from api.cli import main

main()
