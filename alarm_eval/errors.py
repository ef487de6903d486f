"""The one error type the command line turns into exit status 2."""


class InputError(Exception):
    """A plan, scenario, pattern or expression that cannot be used; the message says what and where."""
