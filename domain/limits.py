"""Size limits on what people type; the API schemas use the same numbers."""

from __future__ import annotations

TITLE = 200
TEXT = 5000
CATEGORY = 50
DEPARTMENT = 100
NAME = 100
EMPLOYEE_NO = 50
CONTACT = 200
ANSWER = 5000
BASIS = 2000
REASON = 1000
COMMENT = 2000
PUBLIC_TEXT = 5000
ACTOR_ID = 100
