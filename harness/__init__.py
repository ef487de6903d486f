"""The harness that runs the real modules against an AWS emulator: used by pytest, the Makefile and the demo."""
