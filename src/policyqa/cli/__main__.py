"""`python -m policyqa.cli`, as the `policyqa` command."""

from policyqa.cli.main import main

main()
