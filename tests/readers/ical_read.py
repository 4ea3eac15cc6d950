"""Reads an iCalendar file with the `icalendar` package (PyPI) and prints its events as JSON:
[{uid, summary, description, location, url, start, end, tzid}], start/end in ISO 8601 with
their UTC offset as the parser resolved the TZID. Used by tuanle's tests."""
import json
import sys

import icalendar

with open(sys.argv[1], "rb") as f:
    cal = icalendar.Calendar.from_ical(f.read())
out = {"name": str(cal.get("X-WR-CALNAME", "")), "events": []}
for ev in cal.walk("VEVENT"):
    start = ev.decoded("DTSTART")
    end = ev.decoded("DTEND")
    out["events"].append({
        "uid": str(ev.get("UID")),
        "summary": str(ev.get("SUMMARY")),
        "description": str(ev.get("DESCRIPTION", "")),
        "location": str(ev.get("LOCATION", "")),
        "url": str(ev.get("URL", "")),
        "start": start.isoformat(),
        "end": end.isoformat(),
        "tzid": ev["DTSTART"].params.get("TZID", ""),
    })
print(json.dumps(out, ensure_ascii=False))
