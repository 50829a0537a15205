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
TOPIC = 200
PLACE = 200
URL = 2000
PERSON_ID = 50
MINUTES = 20000
DECISION = 2000
TASK = 2000
CRITERIA = 2000
PROGRESS = 2000

# How many items one request may list (people, departments, decisions, links, bands).
PEOPLE = 1000
DEPARTMENTS = 200
DECISIONS = 100
LINKS = 20
BANDS = 20
