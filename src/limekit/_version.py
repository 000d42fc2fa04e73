"""The one place limekit's version is written; packaging, ``limekit.__version__``,
the CLI and the documentation all read it from here."""

__version__ = "0.1.0"
