"""Drives meemo_client against a running Quorum, as the meemo SDK would.
run.sh starts the server and provisions MEEMO_* and the TEST_* values."""

import datetime
import os
import sys
import time

import httpx

from meemo_client import MeemoClient

ORG = int(os.environ["TEST_ORG_ID"])
OTHER_ORG = int(os.environ["TEST_OTHER_ORG_ID"])
USER_TOKEN = os.environ["TEST_USER_TOKEN"]
TOPIC = int(os.environ["TEST_TOPIC_ID"])

failures = []


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name + (f": {detail}" if detail and not cond else ""))
    if not cond:
        failures.append(name)


def status_of(fn):
    try:
        fn()
    except httpx.HTTPStatusError as e:
        return e.response.status_code, e.response.json()
    return 200, None


def main():
    with MeemoClient(default_headers={"X-Conformance": "meemo"}) as client:
        tok = client.get_access_token()
        check("token cached", client.get_access_token() == tok)
        client._expires_at = time.monotonic() + 30  # inside the 60 s margin: renewed
        check("token renewed before expiry", client.get_access_token() != tok)

        m = client.meetings
        topics = m.list_topics()
        check("topics are a plain array", isinstance(topics, list) and topics[0]["id"] == TOPIC, topics)

        created = m.create_meeting(organization_id=ORG, title="SDK standup", user_token=USER_TOKEN, topic_id=TOPIC,
                                   participants=["guest@sdk.example"], speaker_count=2,
                                   calendar_event={"event_id": "evt-sdk", "summary": "SDK standup"})
        check("create returns a detail", isinstance(created["id"], int) and created["language"] == "en", created)
        check("host from user_token", created["host"]["email"] == "sdk-user@conformance.example", created)
        joined = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=3)).isoformat()
        bot = m.create_meeting(organization_id=ORG, title="SDK bot", bot_meeting_url="https://meet.example/sdk",
                               bot_join_at=joined)
        check("scheduled bot meeting", bot["status"] == "scheduled", bot)

        for name, kwargs, field in [
            ("both urls", dict(bot_meeting_url="https://meet.example/x", file_url="https://f.example/a.mp3"), "non_field_errors"),
            ("speaker_count 0", dict(speaker_count=0), "speaker_count"),
            ("bot_join_at past", dict(bot_meeting_url="https://meet.example/x", bot_join_at="2020-01-01T00:00:00Z"), "bot_join_at"),
        ]:
            code, body = status_of(lambda: m.create_meeting(organization_id=ORG, title="bad", **kwargs))
            check("400 " + name, code == 400 and field in body, (code, body))
        code, body = status_of(lambda: m.create_meeting(organization_id=OTHER_ORG, title="x"))
        check("403 unlinked org", code == 403 and "detail" in body, (code, body))
        code, body = status_of(lambda: m.list_meetings(organization_id="abc"))
        check("400 organization_id not an integer", code == 400 and "organization_id" in body, (code, body))
        code, body = status_of(lambda: m.get_meeting(999999))
        check("404 unknown meeting", code == 404 and "detail" in body, (code, body))

        page = m.list_meetings(size=1)
        check("page envelope", page["count"] == 2 and len(page["results"]) == 1 and page["previous"] is None
              and page["next"].startswith(os.environ["MEEMO_BASE_URL"]) and "page=2" in page["next"], page)
        check("newest start_time first", page["results"][0]["id"] == bot["id"], page)
        check("title filter", [x["id"] for x in m.list_meetings(title="STANDUP")["results"]] == [created["id"]])
        check("from_calendar filter", [x["id"] for x in m.list_meetings(from_calendar=True)["results"]] == [created["id"]])
        check("summary_complete filter", m.list_meetings(summary_complete=True)["count"] == 0)

        d = m.get_meeting(created["id"], extra_headers={"X-Trace": "1"})
        check("detail fields", all(k in d for k in ("host", "language", "keywords", "participant_count",
                                                    "duration_seconds", "num_cluster", "calendar_event")), d)
        t = m.get_transcript(created["id"])
        check("transcript shape", t["meeting_id"] == created["id"] and t["total_segments"] == 0 and t["transcripts"] == [], t)
        s = m.get_summary(created["id"])
        check("summary shape", s["summary"] is None and s["keywords"] == [] and "notes" in s, s)
        p = m.get_participants(created["id"])
        check("participants shape", p["total_participants"] == 2 and {"id", "name", "email", "position", "department"} <= set(p["participants"][0]), p)
        r = m.get_recording(created["id"])
        check("recording shape", r["recording_url"] is None and "duration" in r and "format" in r, r)

        w = client.webhooks
        orgs = w.list_available_organizations()
        check("available organizations", orgs == [{"id": ORG, "name": "SDK Org"}], orgs)
        hooks = w.create_webhook("https://hooks.example/meemo", ["meeting.created", "meeting.summarization_completed"], [ORG])
        check("one webhook per org", len(hooks) == 1 and hooks[0]["secret_key"].startswith("whsec_"), hooks)
        check("webhook list", w.list_webhooks()["count"] == 1)
        hook = w.get_webhook(hooks[0]["id"])
        check("webhook detail", hook["failure_count"] == 0 and "last_failure_reason" in hook, hook)
        check("webhook events", "results" in w.list_webhook_events(webhook_id=hook["id"]))
        w.delete_webhook(hook["id"])
        code, _ = status_of(lambda: w.get_webhook(hook["id"]))
        check("webhook deleted", code == 404)

        u = client.usage.get_usage(organization_id=ORG)
        check("usage lines", any(x["capability_name"] == "speech-to-text" and x["quota"] == 3600.0 for x in u["results"]), u)

        client.revoke_token()
        check("token revoked and renewed on next call", client.meetings.list_meetings()["count"] == 2)

    raw = httpx.get(os.environ["MEEMO_BASE_URL"] + "/api/v1/external/meeting/")
    check("401 without a token", raw.status_code == 401 and "detail" in raw.json(), raw.text)

    if failures:
        print(f"{len(failures)} check(s) failed: {', '.join(failures)}")
        sys.exit(1)
    print("all checks passed")


if __name__ == "__main__":
    main()
