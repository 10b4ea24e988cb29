"""Bounds on what a caller may send a tool: each limit defined once, as the types tools declare parameters with.

Every string argument has a ``maxLength`` and every array a ``maxItems`` in its tool's input schema, and the SDK
refuses a longer one before the tool runs, naming the argument (``CompactServer``). A caller is not trusted to
be reasonable: one megabyte in a date once held a server for minutes. The limits are far above anything a real
question needs, so a person never meets them; they exist for the hostile and the broken caller.

Use them inside a parameter's own ``Annotated`` (its description stays there)::

    start: Annotated[Day | None, Field(description="First day, YYYY-MM-DD.")] = None
    services: Annotated[Ids | None, Field(description="Only these service names.")] = None
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

DAY_CHARS = 32  # YYYY-MM-DD or YYYY-MM, with room for stray spaces
AMOUNT_CHARS = 64  # an amount typed as text: "25000", "1250.50"
ID_CHARS = 512  # ids, names, keys and values: ARNs and Azure resource ids are the longest, about 400
TEXT_CHARS = 4 * 1024  # free text a person writes
PATH_CHARS = 4 * 1024  # a file path, glob or bucket URL (Linux PATH_MAX)
SQL_CHARS = 16 * 1024  # one SELECT statement
TOKEN_CHARS = 64 * 1024  # a signed approval, which carries the whole action it approves
ITEMS = 200  # values in one list argument (filters, recommendation ids, actions)
PATHS = 1_000  # paths in one ingest (folders and globs stand for many files each)
PROPERTIES = 64  # keys of one mapping argument (AWS allows 50 tags per resource)

Day = Annotated[str, Field(max_length=DAY_CHARS)]
AmountText = Annotated[str, Field(max_length=AMOUNT_CHARS)]
Id = Annotated[str, Field(max_length=ID_CHARS)]
Text = Annotated[str, Field(max_length=TEXT_CHARS)]
PathText = Annotated[str, Field(max_length=PATH_CHARS)]
Sql = Annotated[str, Field(max_length=SQL_CHARS)]
Token = Annotated[str, Field(max_length=TOKEN_CHARS)]
Ids = Annotated[list[Id], Field(max_length=ITEMS)]
Paths = Annotated[list[PathText], Field(max_length=PATHS)]
IdMap = Annotated[dict[Id, Id], Field(max_length=PROPERTIES)]
