"""Admin tools on the drive: list sheets, create a sheet from a template, list a folder.

Folder and template names are matched forgivingly (any case, partial, misspelt) against what
exists, and every result says which one was used. Creating a sheet matches strictly: a
misspelling inside a word, never a missing or different word (tools/names.py).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import PurePosixPath
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from tools.context import ToolContext
from tools.names import resolve_name
from tools.safe_text import SafeLine
from tools.storage.base import Storage, StoredFile
from tools.storage.local import clean_name
from tools.storage.mime import FOLDER, GOOGLE_APPS, SHEET_SUFFIX, SHEET_SUFFIXES, SHEET_TYPES

TEMPLATES = "Templates"
FileKind = Literal["sheet", "image", "document", "folder", "other"]
KIND_BY_SUFFIX: dict[str, FileKind] = {
    **dict.fromkeys(SHEET_SUFFIXES, "sheet"),
    ".png": "image",
    ".jpg": "image",
    ".jpeg": "image",
    ".webp": "image",
    ".pdf": "document",
    ".docx": "document",
    ".txt": "document",
    ".md": "document",
}

KIND_BY_MIME_TYPE: dict[str, FileKind] = {
    FOLDER: "folder",
    GOOGLE_APPS + "document": "document",
    GOOGLE_APPS + "presentation": "document",
    **dict.fromkeys(SHEET_TYPES, "sheet"),
    "application/pdf": "document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "document",
}


def kind_of(name: str, mime_type: str | None = None) -> FileKind:
    """What a file is: from its MIME type when the storage knows it (a native Google Sheet has
    no suffix), else from its name's suffix."""
    if mime_type:
        if mime_type in KIND_BY_MIME_TYPE:
            return KIND_BY_MIME_TYPE[mime_type]
        if mime_type.startswith("image/"):
            return "image"
        if mime_type.startswith("text/") and PurePosixPath(name).suffix.lower() != ".csv":
            return "document"
    return KIND_BY_SUFFIX.get(PurePosixPath(name).suffix.lower(), "other")


def kind_of_file(f: StoredFile) -> FileKind:
    return kind_of(f.name, f.mime_type)


def resolve_folder(storage: Storage, wanted: str | None, *, strict: bool = False) -> str:
    """The folder path ``wanted`` names ("" for the root): a path that exists, or the one folder
    whose path or last name matches it (word for word when ``strict``)."""
    if not wanted or wanted.strip() in ("", "/", "root", "drive"):
        return ""
    cleaned = wanted.strip().strip("/")
    # A path that is there costs no listing (Drive: folder ids known in this process). A path
    # the storage refuses (one leading outside the drive) is an error to report, not a name
    # to match loosely against some other folder: is_folder() raises for it.
    if storage.is_folder(cleaned):
        return cleaned
    folders = storage.list_folders("", recursive=True)
    # Match on full paths and on last names; a path wins over a same-named nested folder.
    by_name = {PurePosixPath(f).name: f for f in reversed(folders)}
    by_name.update({f: f for f in folders})
    found = resolve_name(cleaned, by_name, "folder", strict=strict, optional_words=("folder",))
    return by_name[found]


def parent_of(path: str) -> str:
    parent = PurePosixPath(path).parent.as_posix()
    return "" if parent == "." else parent


# Where a person opens a file the answer names (the console links it).
OPEN_LINK = "Where a person opens it: Drive's webViewLink on Google Drive; none on the local drive"


class SheetInfo(BaseModel):
    name: str
    path: str
    folder: str
    modified: datetime
    size: int
    link: str | None = Field(default=None, description=OPEN_LINK)


class ListSheetsArgs(BaseModel):
    name_contains: SafeLine | None = Field(
        default=None, max_length=200, description="Part of the name"
    )
    folder: SafeLine | None = Field(default=None, max_length=500, description="Only in this folder")
    modified_after: date | None = Field(default=None, description="Modified on or after (ISO)")
    modified_before: date | None = Field(default=None, description="Modified before (ISO)")
    limit: int = Field(default=20, ge=1, le=200)

    @model_validator(mode="after")
    def _range(self) -> ListSheetsArgs:
        if (
            self.modified_after
            and self.modified_before
            and self.modified_before <= self.modified_after
        ):
            raise ValueError("modified_before must be after modified_after")
        return self


class SheetList(BaseModel):
    folder: str = Field(description="The folder searched ('' is the whole drive)")
    sheets: list[SheetInfo]
    total: int = Field(description="How many matched before the limit")


_EPOCH = datetime.min.replace(tzinfo=UTC)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def list_sheets(ctx: ToolContext, args: ListSheetsArgs) -> SheetList:
    """List spreadsheets in the drive, newest first, filtered by name, folder and dates.

    Args:
        name_contains: part of the sheet's name (any case).
        folder: only sheets in this folder and its subfolders (a misspelt name is matched).
        modified_after: only sheets modified on or after this date.
        modified_before: only sheets modified before this date.
        limit: how many to return.
    """
    storage = ctx.backends.storage
    folder = resolve_folder(storage, args.folder)
    found, total = storage.find_sheets(
        folder,
        name_contains=args.name_contains,
        modified_after=_day_start(args.modified_after) if args.modified_after else None,
        modified_before=_day_start(args.modified_before) if args.modified_before else None,
        limit=args.limit,
    )
    return SheetList(folder=folder, sheets=[_sheet(f) for f in found], total=total)


def _sheet(f: StoredFile) -> SheetInfo:
    return SheetInfo(
        name=f.name,
        path=f.path,
        folder=parent_of(f.path),
        modified=f.modified,
        size=f.size,
        link=f.link,
    )


class CreateSheetArgs(BaseModel):
    model_config = {
        "json_schema_extra": {"examples": [{"template": "Price List", "title": "Price List 2027"}]}
    }

    template: SafeLine = Field(
        min_length=1, max_length=200, description="Template name in Templates/"
    )
    title: SafeLine = Field(min_length=1, max_length=150, description="The new sheet's name")
    folder: SafeLine | None = Field(default=None, max_length=500, description="Where; default root")


class CreatedSheet(BaseModel):
    path: str
    name: str
    folder: str
    template: str = Field(description="The template used, as found in Templates/")
    link: str | None = Field(default=None, description=OPEN_LINK)


def create_sheet_from_template(ctx: ToolContext, args: CreateSheetArgs) -> CreatedSheet:
    """Create a new sheet as a copy of a template from Templates/. Never overwrites a sheet.

    Args:
        template: the template's name (a misspelling is matched; a name that is only close
            is not: the error names the candidates to choose from).
        title: the new sheet's name.
        folder: the folder to put it in (default: the drive root); it must exist.
    """
    storage = ctx.backends.storage
    templates = [f.name for f in storage.list_files(TEMPLATES) if kind_of_file(f) == "sheet"]
    # A copy made from the wrong template is worse than a question: strict.
    chosen = resolve_name(
        args.template, templates, "template", strict=True, optional_words=("template",)
    )
    folder = resolve_folder(storage, args.folder, strict=True)
    name = clean_name(args.title.strip())
    if not name.lower().endswith(SHEET_SUFFIX):
        name += SHEET_SUFFIX
    created = storage.copy_file(f"{TEMPLATES}/{chosen}", folder, name)
    return CreatedSheet(
        path=created.path, name=created.name, folder=folder, template=chosen, link=created.link
    )


class ListFilesArgs(BaseModel):
    folder: SafeLine | None = Field(
        default=None, max_length=500, description="Folder; root when none"
    )
    kind: FileKind | None = Field(default=None, description="sheet, image, document or folder")
    name_contains: SafeLine | None = Field(default=None, max_length=200)
    limit: int | None = Field(default=None, ge=1, le=200, description="At most this many, newest")


class FileInfo(BaseModel):
    name: str
    path: str
    kind: FileKind
    size: int | None
    modified: datetime | None
    link: str | None = Field(default=None, description=OPEN_LINK)


class FileList(BaseModel):
    folder: str
    files: list[FileInfo]
    total: int = Field(description="How many matched before the limit")


def list_files(ctx: ToolContext, args: ListFilesArgs) -> FileList:
    """List what is in a folder of the drive: files and subfolders, by name.

    Args:
        folder: the folder (a misspelt or partial name is matched); the root when none.
        kind: only sheets, images, documents or folders.
        name_contains: part of the name (any case).
        limit: at most this many, the most recently modified first; all when none.
    """
    storage = ctx.backends.storage
    folder = resolve_folder(storage, args.folder)
    needle = (args.name_contains or "").lower()
    folders, files = storage.children(folder)
    entries = [
        FileInfo(name=PurePosixPath(p).name, path=p, kind="folder", size=None, modified=None)
        for p in folders
    ] + [
        FileInfo(
            name=f.name,
            path=f.path,
            kind=kind_of_file(f),
            size=f.size,
            modified=f.modified,
            link=f.link,
        )
        for f in files
    ]
    found = [
        e
        for e in entries
        if needle in e.name.lower() and (args.kind is None or e.kind == args.kind)
    ]
    total = len(found)
    if args.limit is not None:
        # "the 3 newest files": by modification, folders (which have no date) last.
        found.sort(key=lambda e: (e.modified is not None, e.modified or _EPOCH), reverse=True)
        found = found[: args.limit]
    return FileList(folder=folder, files=found, total=total)
