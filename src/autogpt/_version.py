"""The package version, in a module of its own (the modules that report it need not import the package)."""

__version__ = "0.1.0"
