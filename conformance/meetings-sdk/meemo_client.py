"""A small client for Quorum's Meetings API, written from the meemo SDK's
documented interface (MeemoClient with client.meetings, client.webhooks and
client.usage): same method names and arguments, httpx underneath, the access
token cached and renewed 60 s before it expires, any non-2xx response raised
as httpx.HTTPStatusError."""

import os
import threading
import time

import httpx

_RENEW_BEFORE = 60.0


class MeemoClient:
    def __init__(self, client_id=None, client_secret=None, base_url=None, timeout=60.0, default_headers=None):
        self.client_id = client_id or os.environ.get("MEEMO_CLIENT_ID")
        self.client_secret = client_secret or os.environ.get("MEEMO_CLIENT_SECRET")
        self.base_url = (base_url or os.environ.get("MEEMO_BASE_URL") or "").rstrip("/")
        if not (self.client_id and self.client_secret and self.base_url):
            raise ValueError("client_id, client_secret and base_url are required (or MEEMO_* env vars)")
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout, headers=default_headers or {})
        self._lock = threading.Lock()
        self._token = None
        self._expires_at = 0.0
        self.meetings = Meetings(self)
        self.webhooks = Webhooks(self)
        self.usage = Usage(self)

    def get_access_token(self):
        with self._lock:
            if self._token and time.monotonic() < self._expires_at - _RENEW_BEFORE:
                return self._token
            r = self._http.post("/api/auth/token/", data={
                "grant_type": "client_credentials", "client_id": self.client_id, "client_secret": self.client_secret})
            r.raise_for_status()
            body = r.json()
            self._token = body["access_token"]
            self._expires_at = time.monotonic() + float(body.get("expires_in", 0))
            return self._token

    def revoke_token(self):
        with self._lock:
            token, self._token, self._expires_at = self._token, None, 0.0
        if token:
            r = self._http.post("/api/auth/revoke-token/", data={
                "client_id": self.client_id, "client_secret": self.client_secret, "token": token})
            r.raise_for_status()

    def _request(self, method, path, params=None, json=None, extra_headers=None):
        headers = {"Authorization": "Bearer " + self.get_access_token()}
        headers.update(extra_headers or {})
        if params:
            params = {k: _wire(v) for k, v in params.items() if v is not None}
        r = self._http.request(method, path, params=params, json=json, headers=headers)
        r.raise_for_status()
        return r.json() if r.content else None

    def close(self):
        self._http.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _wire(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    return v


class Meetings:
    def __init__(self, client):
        self._c = client

    def list_meetings(self, organization_id=None, title=None, participants=None, created_after=None,
                      created_before=None, summary_complete=None, from_calendar=None, page=None, size=None,
                      extra_headers=None):
        return self._c._request("GET", "/api/v1/external/meeting/", params={
            "organization_id": organization_id, "title": title, "participants": participants,
            "created_after": created_after, "created_before": created_before,
            "summary_complete": summary_complete, "from_calendar": from_calendar, "page": page, "size": size,
        }, extra_headers=extra_headers)

    def get_meeting(self, meeting_id, extra_headers=None):
        return self._c._request("GET", f"/api/v1/external/meeting/{meeting_id}/", extra_headers=extra_headers)

    def create_meeting(self, organization_id, title=None, start_time=None, user_token=None, topic_id=None,
                       participants=None, bot_meeting_url=None, file_url=None, bot_join_at=None, speaker_count=None,
                       calendar_event=None, extra_headers=None):
        body = {"organization_id": organization_id, "title": title, "start_time": start_time,
                "user_token": user_token, "topic_id": topic_id, "participants": participants,
                "bot_meeting_url": bot_meeting_url, "file_url": file_url, "bot_join_at": bot_join_at,
                "speaker_count": speaker_count, "calendar_event": calendar_event}
        return self._c._request("POST", "/api/v1/external/meeting/",
                                json={k: v for k, v in body.items() if v is not None}, extra_headers=extra_headers)

    def get_transcript(self, meeting_id, extra_headers=None):
        return self._c._request("GET", f"/api/v1/external/meeting/{meeting_id}/transcript/", extra_headers=extra_headers)

    def get_summary(self, meeting_id, extra_headers=None):
        return self._c._request("GET", f"/api/v1/external/meeting/{meeting_id}/summary/", extra_headers=extra_headers)

    def get_participants(self, meeting_id, extra_headers=None):
        return self._c._request("GET", f"/api/v1/external/meeting/{meeting_id}/participants/", extra_headers=extra_headers)

    def get_recording(self, meeting_id, extra_headers=None):
        return self._c._request("GET", f"/api/v1/external/meeting/{meeting_id}/recording/", extra_headers=extra_headers)

    def list_topics(self, organization_id=None, extra_headers=None):
        return self._c._request("GET", "/api/v1/external/topics/", params={"organization_id": organization_id},
                                extra_headers=extra_headers)


class Webhooks:
    def __init__(self, client):
        self._c = client

    def list_available_organizations(self, extra_headers=None):
        return self._c._request("GET", "/api/v1/external/webhooks/available-organizations/", extra_headers=extra_headers)

    def create_webhook(self, target_url, events, organization_ids, description=None, extra_headers=None):
        body = {"target_url": target_url, "events": events, "organization_ids": organization_ids}
        if description is not None:
            body["description"] = description
        return self._c._request("POST", "/api/v1/external/webhooks/", json=body, extra_headers=extra_headers)

    def list_webhooks(self, page=None, size=None, extra_headers=None):
        return self._c._request("GET", "/api/v1/external/webhooks/", params={"page": page, "size": size},
                                extra_headers=extra_headers)

    def get_webhook(self, webhook_id, extra_headers=None):
        return self._c._request("GET", f"/api/v1/external/webhooks/{webhook_id}/", extra_headers=extra_headers)

    def delete_webhook(self, webhook_id, extra_headers=None):
        return self._c._request("DELETE", f"/api/v1/external/webhooks/{webhook_id}/", extra_headers=extra_headers)

    def list_webhook_events(self, webhook_id=None, page=None, size=None, extra_headers=None):
        return self._c._request("GET", "/api/v1/external/webhook-events/",
                                params={"webhook_id": webhook_id, "page": page, "size": size}, extra_headers=extra_headers)

    def get_webhook_event(self, event_id, extra_headers=None):
        return self._c._request("GET", f"/api/v1/external/webhook-events/{event_id}/", extra_headers=extra_headers)


class Usage:
    def __init__(self, client):
        self._c = client

    def get_usage(self, organization_id=None, start_date=None, end_date=None, extra_headers=None):
        return self._c._request("GET", "/api/v1/external/usage/", params={
            "organization_id": organization_id, "start_date": start_date, "end_date": end_date},
            extra_headers=extra_headers)
