"""``python -m confman`` runs the CLI."""

from confman.cli import main

main()
