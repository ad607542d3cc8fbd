"""MIME types the storages and the tools name: Google's own kinds, and the files that are sheets."""

import mimetypes
from pathlib import PurePosixPath

GOOGLE_APPS = "application/vnd.google-apps."
FOLDER = GOOGLE_APPS + "folder"
SHEET = GOOGLE_APPS + "spreadsheet"  # a native Google Sheet
SHORTCUT = GOOGLE_APPS + "shortcut"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLS = "application/vnd.ms-excel"
CSV = "text/csv"
SHEET_TYPES = (SHEET, XLSX, XLS, CSV)  # what counts as a sheet, as SHEET_SUFFIXES do by name
SHEET_SUFFIX = ".xlsx"  # what a new sheet is called, on either drive
SHEET_SUFFIXES = (SHEET_SUFFIX, ".xls", ".csv")  # the names of files that are sheets

# Ours first: Python's own table has no .xlsx, and a host's /etc/mime.types may be missing.
BY_SUFFIX = {".xlsx": XLSX, ".xls": XLS, ".csv": CSV, ".png": "image/png"}


def mime_type_of(name: str) -> str:
    """The MIME type a file called ``name`` is uploaded with."""
    suffix = PurePosixPath(name).suffix.lower()
    return BY_SUFFIX.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"
