"""pef-gx: Great Expectations and dbt as one data-quality system."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("pef-gx")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
