"""Tests of the command line (`scorer.cli`): the commands, their output and exit codes."""
