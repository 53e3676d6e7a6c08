package webhook

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/quorumhq/quorum/internal/event"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/page"
	"github.com/quorumhq/quorum/internal/store"
)

type sqlStore struct{ db *store.DB }

// subscriptionOn is true when a subscription's deliveries may be sent: its
// app is active and its switch (the app's for the app's webhook) is on.
const subscriptionOn = `(a.status = 'active' AND CASE WHEN s.org_id IS NULL THEN a.webhook_enabled ELSE s.enabled END)`

func (s sqlStore) orgUUID(ctx context.Context, tx *sql.Tx, orgID int64) (string, error) {
	var id string
	err := s.db.TxQueryRow(ctx, tx, `SELECT uuid FROM organizations WHERE id = ?`, orgID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fault.NotFound("organization")
	}
	if err != nil {
		return "", fmt.Errorf("load organization %d: %w", orgID, err)
	}
	return id, nil
}

// orgHasSubscribers reports whether any webhook may receive an event of
// the organization: a linked app with a webhook URL, or an endpoint.
func (s sqlStore) orgHasSubscribers(ctx context.Context, tx *sql.Tx, orgID int64) (bool, error) {
	var n int
	err := s.db.TxQueryRow(ctx, tx, `SELECT COUNT(*) FROM (
		SELECT 1 AS one FROM app_orgs ao JOIN apps a ON a.id = ao.app_id
			JOIN webhook_subscriptions s ON s.app_id = a.id AND s.org_id IS NULL
			WHERE ao.org_id = ? AND a.webhook_url IS NOT NULL AND a.webhook_url <> ''
		UNION ALL
		SELECT 1 AS one FROM webhook_subscriptions WHERE org_id = ?) x`, orgID, orgID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("look for webhooks of organization %d: %w", orgID, err)
	}
	return n > 0, nil
}

func (s sqlStore) insertEvent(ctx context.Context, tx *sql.Tx, e event.Event, payload string, fanned *time.Time) (int64, error) {
	var id int64
	err := s.db.TxQueryRow(ctx, tx, `INSERT INTO events (uuid, org_id, app_id, app_only, type, actor_user_id, for_user_id,
		occurred_at, payload, fanned_out_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		e.ID, e.OrgID, nullID(e.AppID), e.AppOnly, e.Type, nullID(e.ActorUserID), nullID(e.ForUserID),
		e.OccurredAt.UTC(), payload, fanned).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert %s event: %w", e.Type, err)
	}
	return id, nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

// eventRow is what fan-out needs of an event.
type eventRow struct {
	id        int64
	orgID     int64
	appID     int64
	appOnly   bool
	typ       string
	fannedOut bool
}

// errGone reports a row deleted under a job (its app or organization was
// removed); the job has nothing left to do.
var errGone = errors.New("gone")

func (s sqlStore) eventForFanout(ctx context.Context, tx *sql.Tx, id int64) (eventRow, error) {
	e := eventRow{id: id}
	var app sql.NullInt64
	var fanned sql.NullTime
	err := s.db.TxQueryRow(ctx, tx, `SELECT org_id, app_id, app_only, type, fanned_out_at FROM events WHERE id = ?`, id).
		Scan(&e.orgID, &app, &e.appOnly, &e.typ, &fanned)
	if errors.Is(err, sql.ErrNoRows) {
		e.fannedOut = true // deleted with its organization: nothing to fan out
		return e, nil
	}
	if err != nil {
		return e, fmt.Errorf("load event %d: %w", id, err)
	}
	e.appID, e.fannedOut = app.Int64, fanned.Valid
	return e, nil
}

// target is a subscription that may receive an event.
type target struct {
	subID   int64
	appID   int64
	appSub  bool
	enabled bool
	filter  *struct {
		Type   string   `json:"type"`
		Events []string `json:"events"`
	}
	events []string
}

// wants applies the app's include/exclude filter, or the endpoint's list.
func (t target) wants(typ string) bool {
	if !t.appSub {
		return slices.Contains(t.events, typ)
	}
	if t.filter == nil {
		return true
	}
	in := slices.Contains(t.filter.Events, typ)
	if t.filter.Type == "exclude" {
		return !in
	}
	return in
}

// targets lists the subscriptions an event of the organization may reach:
// the webhooks of active apps linked to it that have a URL (only the
// event's app for an app-only event) and the organization's endpoints.
func (s sqlStore) targets(ctx context.Context, tx *sql.Tx, e eventRow) ([]target, error) {
	query := `SELECT s.id, s.app_id, s.org_id IS NULL, CASE WHEN s.org_id IS NULL THEN a.webhook_enabled ELSE s.enabled END,
		COALESCE(a.webhook_filter, ''), s.events
		FROM webhook_subscriptions s JOIN apps a ON a.id = s.app_id
		WHERE a.status = 'active' AND (s.org_id = ? OR s.org_id IS NULL AND a.webhook_url IS NOT NULL AND a.webhook_url <> ''
			AND EXISTS (SELECT 1 FROM app_orgs ao WHERE ao.app_id = s.app_id AND ao.org_id = ?))`
	args := []any{e.orgID, e.orgID}
	if e.appOnly {
		query += ` AND s.app_id = ?`
		args = append(args, e.appID)
	}
	rows, err := s.db.TxQuery(ctx, tx, query+` ORDER BY s.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list webhooks of organization %d: %w", e.orgID, err)
	}
	defer rows.Close()
	var out []target
	for rows.Next() {
		var t target
		var filter, events string
		if err := rows.Scan(&t.subID, &t.appID, &t.appSub, &t.enabled, &filter, &events); err != nil {
			return nil, fmt.Errorf("scan webhook: %w", err)
		}
		if t.appSub && filter != "" {
			if err := json.Unmarshal([]byte(filter), &t.filter); err != nil {
				return nil, fmt.Errorf("decode webhook filter of app %d: %w", t.appID, err)
			}
		}
		if err := json.Unmarshal([]byte(events), &t.events); err != nil {
			return nil, fmt.Errorf("decode events of webhook %d: %w", t.subID, err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// insertDelivery adds the delivery of an event to a subscription unless it
// exists; inserted is false when it did.
func (s sqlStore) insertDelivery(ctx context.Context, tx *sql.Tx, t target, e eventRow, next *time.Time, now time.Time) (int64, bool, error) {
	var id int64
	err := s.db.TxQueryRow(ctx, tx, `INSERT INTO webhook_deliveries (uuid, subscription_id, event_id, app_id, org_id, event_type,
		status, next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)
		ON CONFLICT (subscription_id, event_id) DO NOTHING RETURNING id`,
		uuid.NewString(), t.subID, e.id, t.appID, e.orgID, e.typ, next, now, now).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("insert delivery of event %d to webhook %d: %w", e.id, t.subID, err)
	}
	return id, true, nil
}

func (s sqlStore) markFannedOut(ctx context.Context, tx *sql.Tx, eventID int64, now time.Time) error {
	if _, err := s.db.TxExec(ctx, tx, `UPDATE events SET fanned_out_at = ? WHERE id = ?`, now, eventID); err != nil {
		return fmt.Errorf("mark event %d fanned out: %w", eventID, err)
	}
	return nil
}

// sendRow is everything one attempt needs, read in one query.
type sendRow struct {
	id            int64
	uuid          string
	status        Status
	attempts      int
	schedulePos   int
	gen           int64
	nextAttemptAt time.Time
	subID         int64
	subUUID       string
	scheme        Scheme
	appSub        bool
	url           string
	on            bool
	sealed        []byte
	appID         int64
	appUUID       string
	eventUUID     string
	eventType     string
	occurredAt    time.Time
	payload       json.RawMessage
	actorUUID     string
	forUserUUID   string
	forUserEmail  string
}

func (s sqlStore) loadSend(ctx context.Context, id int64) (sendRow, error) {
	d := sendRow{id: id}
	var status, scheme, payload string
	var next sql.NullTime
	err := s.db.QueryRow(ctx, `SELECT d.uuid, d.status, d.attempts, d.schedule_pos, d.gen, d.next_attempt_at,
		s.id, s.uuid, s.scheme, s.org_id IS NULL, CASE WHEN s.org_id IS NULL THEN COALESCE(a.webhook_url, '') ELSE s.url END,
		`+subscriptionOn+`, s.secret, a.id, a.uuid, e.uuid, e.type, e.occurred_at, e.payload,
		COALESCE(au.uuid, ''), COALESCE(fu.uuid, ''), COALESCE(fu.email, '')
		FROM webhook_deliveries d
		JOIN webhook_subscriptions s ON s.id = d.subscription_id
		JOIN apps a ON a.id = s.app_id
		JOIN events e ON e.id = d.event_id
		LEFT JOIN users au ON au.id = e.actor_user_id
		LEFT JOIN users fu ON fu.id = e.for_user_id
		WHERE d.id = ?`, id).Scan(&d.uuid, &status, &d.attempts, &d.schedulePos, &d.gen, &next,
		&d.subID, &d.subUUID, &scheme, &d.appSub, &d.url, &d.on, &d.sealed, &d.appID, &d.appUUID, &d.eventUUID, &d.eventType,
		&d.occurredAt, &payload, &d.actorUUID, &d.forUserUUID, &d.forUserEmail)
	if errors.Is(err, sql.ErrNoRows) {
		return d, errGone
	}
	if err != nil {
		return d, fmt.Errorf("load delivery %d: %w", id, err)
	}
	d.status, d.scheme, d.nextAttemptAt, d.payload = Status(status), Scheme(scheme), next.Time, json.RawMessage(payload)
	return d, nil
}

// hold parks a delivery whose subscription is off: pending, no attempt
// scheduled. The subscription is checked again in the statement, so a
// delivery is never parked under a switch that was just turned back on.
func (s sqlStore) hold(ctx context.Context, id, gen int64, now time.Time) error {
	_, err := s.db.Exec(ctx, `UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = NULL, updated_at = ?
		WHERE id = ? AND gen = ? AND status IN ('pending', 'failed') AND EXISTS (
			SELECT 1 FROM webhook_subscriptions s JOIN apps a ON a.id = s.app_id
			WHERE s.id = webhook_deliveries.subscription_id AND NOT `+subscriptionOn+`)`, now, id, gen)
	if err != nil {
		return fmt.Errorf("hold delivery %d: %w", id, err)
	}
	return nil
}

// recordAttempt stores an attempt and the delivery's new state. It writes
// nothing and returns false when another job recorded this attempt first.
func (s sqlStore) recordAttempt(ctx context.Context, tx *sql.Tx, d sendRow, r result, st Status, pos int, next, now time.Time) (bool, error) {
	var httpStatus any
	if r.status != 0 {
		httpStatus = r.status
	}
	failed := 0
	var delivered any
	if st == StatusDelivered {
		delivered = now
	} else {
		failed = 1
	}
	res, err := s.db.TxExec(ctx, tx, `UPDATE webhook_deliveries SET attempts = attempts + 1, failures = failures + ?, status = ?,
		schedule_pos = ?, http_status = ?, error_message = ?, next_attempt_at = ?, delivered_at = COALESCE(?, delivered_at), updated_at = ?
		WHERE id = ? AND attempts = ?`,
		failed, string(st), pos, httpStatus, r.err, nullTime(next), delivered, now, d.id, d.attempts)
	if err != nil {
		return false, fmt.Errorf("update delivery %d: %w", d.id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err
	}
	_, err = s.db.TxExec(ctx, tx, `INSERT INTO webhook_attempts (delivery_id, attempt, status, http_status, duration_ms,
		error_message, response_snippet, next_attempt_at, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.id, d.attempts+1, string(st), httpStatus, r.duration.Milliseconds(), r.err, r.snippet, nullTime(next), r.started)
	if err != nil {
		return false, fmt.Errorf("insert attempt %d of delivery %d: %w", d.attempts+1, d.id, err)
	}
	return true, nil
}

// markHealthy clears a subscription's failure counters after a success. It
// writes only when something changes (or once a minute for last_success_at),
// so that concurrent successes do not queue on the subscription's row.
func (s sqlStore) markHealthy(ctx context.Context, tx *sql.Tx, subID int64, now time.Time) error {
	_, err := s.db.TxExec(ctx, tx, `UPDATE webhook_subscriptions SET abandoned_streak = 0, failing_since = NULL, last_failure = '',
		last_success_at = ? WHERE id = ? AND (abandoned_streak <> 0 OR failing_since IS NOT NULL OR last_success_at IS NULL
		OR last_success_at < ?)`, now, subID, now.Add(-time.Minute))
	if err != nil {
		return fmt.Errorf("mark webhook %d healthy: %w", subID, err)
	}
	return nil
}

// health is a subscription's failure record.
type health struct {
	abandonedStreak int64
	failingSince    time.Time
}

// markFailing records a failed attempt (and an abandoned delivery) against
// a subscription and returns its record.
func (s sqlStore) markFailing(ctx context.Context, tx *sql.Tx, subID int64, abandoned bool, reason string, now time.Time) (health, error) {
	var h health
	var since sql.NullTime
	add := 0
	if abandoned {
		add = 1
	}
	err := s.db.TxQueryRow(ctx, tx, `UPDATE webhook_subscriptions SET abandoned_streak = abandoned_streak + ?,
		failing_since = COALESCE(failing_since, ?), last_failure = ? WHERE id = ? RETURNING abandoned_streak, failing_since`,
		add, now, reason, subID).Scan(&h.abandonedStreak, &since)
	if err != nil {
		return h, fmt.Errorf("mark webhook %d failing: %w", subID, err)
	}
	h.failingSince = since.Time
	return h, nil
}

// disable turns a subscription off: the app's switch for an app's webhook,
// the endpoint's own otherwise.
func (s sqlStore) disable(ctx context.Context, tx *sql.Tx, d sendRow, reason string, now time.Time) error {
	if d.appSub {
		if _, err := s.db.TxExec(ctx, tx, `UPDATE apps SET webhook_enabled = FALSE, updated_at = ? WHERE id = ?`, now, d.appID); err != nil {
			return fmt.Errorf("disable webhook of app %d: %w", d.appID, err)
		}
	}
	_, err := s.db.TxExec(ctx, tx, `UPDATE webhook_subscriptions SET enabled = CASE WHEN org_id IS NULL THEN enabled ELSE FALSE END,
		disabled_reason = ?, updated_at = ? WHERE id = ?`, reason, now, d.subID)
	if err != nil {
		return fmt.Errorf("disable webhook %d: %w", d.subID, err)
	}
	return nil
}

func (s sqlStore) resetHealth(ctx context.Context, tx *sql.Tx, subID int64, now time.Time) error {
	_, err := s.db.TxExec(ctx, tx, `UPDATE webhook_subscriptions SET abandoned_streak = 0, failing_since = NULL, disabled_reason = '',
		updated_at = ? WHERE id = ?`, now, subID)
	if err != nil {
		return fmt.Errorf("reset webhook %d: %w", subID, err)
	}
	return nil
}

// heldRow names a delivery whose job must be queued.
type heldRow struct{ id, gen int64 }

func scanHeld(rows *sql.Rows) ([]heldRow, error) {
	defer rows.Close()
	var out []heldRow
	for rows.Next() {
		var h heldRow
		if err := rows.Scan(&h.id, &h.gen); err != nil {
			return nil, fmt.Errorf("scan delivery: %w", err)
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// releaseHeld schedules every held delivery of a subscription at due, in a
// new generation.
func (s sqlStore) releaseHeld(ctx context.Context, tx *sql.Tx, subID int64, due, now time.Time) ([]heldRow, error) {
	rows, err := s.db.TxQuery(ctx, tx, `UPDATE webhook_deliveries SET next_attempt_at = ?, gen = gen + 1, updated_at = ?
		WHERE subscription_id = ? AND status = 'pending' AND next_attempt_at IS NULL RETURNING id, gen`, due, now, subID)
	if err != nil {
		return nil, fmt.Errorf("release held deliveries of webhook %d: %w", subID, err)
	}
	return scanHeld(rows)
}

func (s sqlStore) abandonHeld(ctx context.Context, tx *sql.Tx, subID int64, now time.Time) error {
	_, err := s.db.TxExec(ctx, tx, `UPDATE webhook_deliveries SET status = 'abandoned',
		error_message = 'abandoned when webhook delivery was turned back on', updated_at = ?
		WHERE subscription_id = ? AND status = 'pending' AND next_attempt_at IS NULL`, now, subID)
	if err != nil {
		return fmt.Errorf("abandon held deliveries of webhook %d: %w", subID, err)
	}
	return nil
}

// sweepBatch bounds the rows one sweep re-queues; the next sweep takes the
// rest.
const sweepBatch = 500

// rearmStale starts a new generation of every delivery that was due before
// cutoff (its job is lost or far behind) and of every delivery held under a
// subscription that is on again, and returns them for new jobs.
func (s sqlStore) rearmStale(ctx context.Context, tx *sql.Tx, cutoff, now time.Time) ([]heldRow, error) {
	rows, err := s.db.TxQuery(ctx, tx, `UPDATE webhook_deliveries SET gen = gen + 1, updated_at = ?
		WHERE id IN (SELECT id FROM webhook_deliveries WHERE status IN ('pending', 'failed') AND next_attempt_at <= ?
			ORDER BY next_attempt_at LIMIT ?) RETURNING id, gen`, now, cutoff, sweepBatch)
	if err != nil {
		return nil, fmt.Errorf("re-arm stale deliveries: %w", err)
	}
	stale, err := scanHeld(rows)
	if err != nil {
		return nil, err
	}
	rows, err = s.db.TxQuery(ctx, tx, `UPDATE webhook_deliveries SET gen = gen + 1, next_attempt_at = ?, updated_at = ?
		WHERE id IN (SELECT d.id FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id
			JOIN apps a ON a.id = s.app_id
			WHERE d.status = 'pending' AND d.next_attempt_at IS NULL AND d.updated_at <= ? AND `+subscriptionOn+`
			LIMIT ?) RETURNING id, gen`, now, now, cutoff, sweepBatch)
	if err != nil {
		return nil, fmt.Errorf("release stranded deliveries: %w", err)
	}
	stranded, err := scanHeld(rows)
	return append(stale, stranded...), err
}

func (s sqlStore) unfannedEvents(ctx context.Context, tx *sql.Tx, cutoff time.Time) ([]int64, error) {
	rows, err := s.db.TxQuery(ctx, tx, `SELECT id FROM events WHERE fanned_out_at IS NULL AND occurred_at <= ? ORDER BY id LIMIT ?`,
		cutoff, sweepBatch)
	if err != nil {
		return nil, fmt.Errorf("list events not fanned out: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("scan event: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

func (s sqlStore) insertAppSubscription(ctx context.Context, tx *sql.Tx, appID int64, subUUID string, sealed []byte, hint string, now time.Time) error {
	_, err := s.db.TxExec(ctx, tx, `INSERT INTO webhook_subscriptions (uuid, app_id, scheme, secret, secret_hint, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, subUUID, appID, string(SchemeContio), sealed, hint, now, now)
	if err != nil {
		return fmt.Errorf("insert webhook of app %d: %w", appID, err)
	}
	return nil
}

func (s sqlStore) appSubscriptionUUID(ctx context.Context, appID int64) (string, error) {
	var id string
	err := s.db.QueryRow(ctx, `SELECT uuid FROM webhook_subscriptions WHERE app_id = ? AND org_id IS NULL`, appID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fault.NotFound("webhook")
	}
	if err != nil {
		return "", fmt.Errorf("load webhook of app %d: %w", appID, err)
	}
	return id, nil
}

// appSubscriptionID returns the id of an app's webhook, or 0 for an app
// registered before webhooks had subscriptions.
func (s sqlStore) appSubscriptionID(ctx context.Context, appID int64) (int64, error) {
	var id int64
	err := s.db.QueryRow(ctx, `SELECT id FROM webhook_subscriptions WHERE app_id = ? AND org_id IS NULL`, appID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("load webhook of app %d: %w", appID, err)
	}
	return id, nil
}

func (s sqlStore) setSecret(ctx context.Context, subUUID string, sealed []byte, hint string, now time.Time) error {
	_, err := s.db.Exec(ctx, `UPDATE webhook_subscriptions SET secret = ?, secret_hint = ?, updated_at = ? WHERE uuid = ?`,
		sealed, hint, now, subUUID)
	if err != nil {
		return fmt.Errorf("set secret of webhook %s: %w", subUUID, err)
	}
	return nil
}

func (s sqlStore) setAppWebhookEnabled(ctx context.Context, tx *sql.Tx, appID int64, enabled bool, now time.Time) error {
	res, err := s.db.TxExec(ctx, tx, `UPDATE apps SET webhook_enabled = ?, updated_at = ? WHERE id = ?`, enabled, now, appID)
	if err != nil {
		return fmt.Errorf("switch webhook of app %d: %w", appID, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fault.NotFound("app")
	}
	return nil
}

const endpointColumns = `id, uuid, app_id, org_id, url, scheme, events, description, enabled, secret_hint, disabled_reason, created_at, updated_at`

func scanEndpoint(row interface{ Scan(...any) error }) (Endpoint, error) {
	var e Endpoint
	var scheme, events string
	err := row.Scan(&e.ID, &e.UUID, &e.AppID, &e.OrgID, &e.URL, &scheme, &events, &e.Description, &e.Enabled, &e.SecretHint,
		&e.DisabledReason, &e.CreatedAt, &e.UpdatedAt)
	if err != nil {
		return e, err
	}
	e.Scheme = Scheme(scheme)
	if err := json.Unmarshal([]byte(events), &e.Events); err != nil {
		return e, fmt.Errorf("decode events of webhook %s: %w", e.UUID, err)
	}
	return e, nil
}

func (s sqlStore) insertEndpoint(ctx context.Context, e *Endpoint, sealed []byte) error {
	events, _ := json.Marshal(e.Events)
	err := s.db.ExecRow(ctx, `INSERT INTO webhook_subscriptions (uuid, app_id, org_id, scheme, url, events, description, enabled,
		secret, secret_hint, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, TRUE, ?, ?, ?, ?) RETURNING id`,
		e.UUID, e.AppID, e.OrgID, string(e.Scheme), e.URL, string(events), e.Description, sealed, e.SecretHint,
		e.CreatedAt, e.UpdatedAt).Scan(&e.ID)
	if err != nil {
		return fmt.Errorf("insert webhook endpoint: %w", err)
	}
	return nil
}

func (s sqlStore) endpoints(ctx context.Context, orgID, appID int64) ([]Endpoint, error) {
	rows, err := s.db.Query(ctx, `SELECT `+endpointColumns+` FROM webhook_subscriptions WHERE org_id = ? AND app_id = ?
		ORDER BY created_at, id`, orgID, appID)
	if err != nil {
		return nil, fmt.Errorf("list webhook endpoints: %w", err)
	}
	defer rows.Close()
	out := []Endpoint{}
	for rows.Next() {
		e, err := scanEndpoint(rows)
		if err != nil {
			return nil, fmt.Errorf("scan webhook endpoint: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func (s sqlStore) endpoint(ctx context.Context, orgID, appID int64, id string) (Endpoint, error) {
	e, err := scanEndpoint(s.db.QueryRow(ctx, `SELECT `+endpointColumns+` FROM webhook_subscriptions
		WHERE org_id = ? AND app_id = ? AND uuid = ?`, orgID, appID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Endpoint{}, fault.NotFound("webhook")
	}
	if err != nil {
		return Endpoint{}, fmt.Errorf("load webhook endpoint %s: %w", id, err)
	}
	return e, nil
}

func (s sqlStore) deleteEndpoint(ctx context.Context, orgID, appID int64, id string) error {
	res, err := s.db.Exec(ctx, `DELETE FROM webhook_subscriptions WHERE org_id = ? AND app_id = ? AND uuid = ?`, orgID, appID, id)
	if err != nil {
		return fmt.Errorf("delete webhook endpoint %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fault.NotFound("webhook")
	}
	return nil
}

func (s sqlStore) setEndpointEnabled(ctx context.Context, tx *sql.Tx, orgID, appID int64, id string, enabled bool, now time.Time) (int64, error) {
	var subID int64
	err := s.db.TxQueryRow(ctx, tx, `UPDATE webhook_subscriptions SET enabled = ?, updated_at = ?
		WHERE org_id = ? AND app_id = ? AND uuid = ? RETURNING id`, enabled, now, orgID, appID, id).Scan(&subID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fault.NotFound("webhook")
	}
	if err != nil {
		return 0, fmt.Errorf("switch webhook endpoint %s: %w", id, err)
	}
	return subID, nil
}

const deliveryColumns = `d.id, d.uuid, a.uuid, e.uuid, d.event_type, d.status, d.attempts, d.failures, d.http_status,
	d.error_message, d.next_attempt_at, d.delivered_at, d.created_at, d.updated_at`

const deliveryFrom = ` FROM webhook_deliveries d
	JOIN webhook_subscriptions s ON s.id = d.subscription_id
	JOIN apps a ON a.id = d.app_id
	JOIN events e ON e.id = d.event_id`

func scanDelivery(row interface{ Scan(...any) error }, extra ...any) (Delivery, error) {
	var d Delivery
	var status string
	var httpStatus sql.NullInt64
	var next, delivered sql.NullTime
	dest := append([]any{&d.ID, &d.UUID, &d.AppUUID, &d.EventUUID, &d.EventType, &status, &d.Attempts, &d.Failures, &httpStatus,
		&d.ErrorMessage, &next, &delivered, &d.CreatedAt, &d.UpdatedAt}, extra...)
	if err := row.Scan(dest...); err != nil {
		return d, err
	}
	d.Status, d.HTTPStatus, d.NextAttemptAt, d.DeliveredAt = Status(status), int(httpStatus.Int64), next.Time, delivered.Time
	return d, nil
}

// deliveries pages through the deliveries of an app's own webhook, newest
// first, with an exact total.
func (s sqlStore) deliveries(ctx context.Context, appID int64, f DeliveryFilter, r page.Request) (page.Page[Delivery], error) {
	where := ` WHERE d.app_id = ? AND s.org_id IS NULL`
	args := []any{appID}
	if f.Status != "" {
		where += ` AND d.status = ?`
		args = append(args, string(f.Status))
	}
	if f.EventType != "" {
		where += ` AND d.event_type = ?`
		args = append(args, f.EventType)
	}
	var total int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*)`+deliveryFrom+where, args...).Scan(&total); err != nil {
		return page.Page[Delivery]{}, fmt.Errorf("count deliveries of app %d: %w", appID, err)
	}
	rows, err := s.db.Query(ctx, `SELECT `+deliveryColumns+deliveryFrom+where+` ORDER BY d.created_at DESC, d.id DESC LIMIT ? OFFSET ?`,
		append(args, r.Limit, r.Offset)...)
	if err != nil {
		return page.Page[Delivery]{}, fmt.Errorf("list deliveries of app %d: %w", appID, err)
	}
	defer rows.Close()
	var items []Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return page.Page[Delivery]{}, fmt.Errorf("scan delivery: %w", err)
		}
		items = append(items, d)
	}
	if err := rows.Err(); err != nil {
		return page.Page[Delivery]{}, err
	}
	return page.Of(items, r, total, nil), nil
}

func (s sqlStore) delivery(ctx context.Context, appID int64, id string) (Delivery, error) {
	d, err := scanDelivery(s.db.QueryRow(ctx, `SELECT `+deliveryColumns+deliveryFrom+` WHERE d.app_id = ? AND s.org_id IS NULL AND d.uuid = ?`,
		appID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Delivery{}, fault.NotFound("webhook delivery")
	}
	if err != nil {
		return Delivery{}, fmt.Errorf("load delivery %s: %w", id, err)
	}
	return d, nil
}

// deliveryForRetry loads a delivery of an app's webhook in tx with the
// schedule position of its next attempt and whether its webhook is on.
func (s sqlStore) deliveryForRetry(ctx context.Context, tx *sql.Tx, appID int64, id string) (Delivery, int, bool, error) {
	var pos int
	var on bool
	d, err := scanDelivery(s.db.TxQueryRow(ctx, tx, `SELECT `+deliveryColumns+`, d.schedule_pos, `+subscriptionOn+deliveryFrom+`
		WHERE d.app_id = ? AND s.org_id IS NULL AND d.uuid = ?`, appID, id), &pos, &on)
	if errors.Is(err, sql.ErrNoRows) {
		return Delivery{}, 0, false, fault.NotFound("webhook delivery")
	}
	if err != nil {
		return Delivery{}, 0, false, fmt.Errorf("load delivery %s: %w", id, err)
	}
	return d, pos, on, nil
}

// scheduleRetry schedules the next attempt of a delivery at now, in a new
// generation; an abandoned delivery becomes failed again.
func (s sqlStore) scheduleRetry(ctx context.Context, tx *sql.Tx, id int64, pos int, now time.Time) (int64, error) {
	var gen int64
	err := s.db.TxQueryRow(ctx, tx, `UPDATE webhook_deliveries SET status = CASE WHEN status = 'abandoned' THEN 'failed' ELSE status END,
		schedule_pos = ?, next_attempt_at = ?, gen = gen + 1, updated_at = ? WHERE id = ? RETURNING gen`, pos, now, now, id).Scan(&gen)
	if err != nil {
		return 0, fmt.Errorf("schedule retry of delivery %d: %w", id, err)
	}
	return gen, nil
}

func (s sqlStore) attempts(ctx context.Context, deliveryID int64) ([]Attempt, error) {
	rows, err := s.db.Query(ctx, `SELECT attempt, status, http_status, duration_ms, error_message, response_snippet, next_attempt_at,
		started_at FROM webhook_attempts WHERE delivery_id = ? ORDER BY attempt`, deliveryID)
	if err != nil {
		return nil, fmt.Errorf("list attempts of delivery %d: %w", deliveryID, err)
	}
	defer rows.Close()
	out := []Attempt{}
	for rows.Next() {
		var a Attempt
		var status string
		var httpStatus sql.NullInt64
		var ms int64
		var next sql.NullTime
		if err := rows.Scan(&a.Attempt, &status, &httpStatus, &ms, &a.ErrorMessage, &a.ResponseSnippet, &next, &a.StartedAt); err != nil {
			return nil, fmt.Errorf("scan attempt: %w", err)
		}
		a.Status, a.HTTPStatus, a.Duration, a.NextAttemptAt = Status(status), int(httpStatus.Int64), time.Duration(ms)*time.Millisecond, next.Time
		out = append(out, a)
	}
	return out, rows.Err()
}

func (s sqlStore) endpointHealth(ctx context.Context, orgID, appID, endpointID int64) (EndpointHealth, error) {
	var h EndpointHealth
	err := s.db.QueryRow(ctx, `SELECT COALESCE((SELECT SUM(d.failures) FROM webhook_deliveries d WHERE d.subscription_id = s.id), 0),
		s.last_failure FROM webhook_subscriptions s WHERE s.org_id = ? AND s.app_id = ? AND s.id = ?`, orgID, appID, endpointID).
		Scan(&h.FailureCount, &h.LastFailureReason)
	if errors.Is(err, sql.ErrNoRows) {
		return EndpointHealth{}, fault.NotFound("webhook")
	}
	if err != nil {
		return EndpointHealth{}, fmt.Errorf("read failures of webhook %d: %w", endpointID, err)
	}
	return h, nil
}

func (s sqlStore) endpointDeliveries(ctx context.Context, orgID, appID, endpointID int64, r page.Request) (page.Page[EndpointDelivery], error) {
	where := ` WHERE d.org_id = ? AND d.app_id = ? AND s.org_id = ?`
	args := []any{orgID, appID, orgID}
	if endpointID != 0 {
		where += ` AND s.id = ?`
		args = append(args, endpointID)
	}
	var total int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*)`+deliveryFrom+where, args...).Scan(&total); err != nil {
		return page.Page[EndpointDelivery]{}, fmt.Errorf("count webhook deliveries: %w", err)
	}
	rows, err := s.db.Query(ctx, `SELECT `+deliveryColumns+`, s.id`+deliveryFrom+where+` ORDER BY d.id DESC LIMIT ? OFFSET ?`,
		append(args, r.Limit, r.Offset)...)
	if err != nil {
		return page.Page[EndpointDelivery]{}, fmt.Errorf("list webhook deliveries: %w", err)
	}
	defer rows.Close()
	items := []EndpointDelivery{}
	for rows.Next() {
		var ed EndpointDelivery
		if ed.Delivery, err = scanDelivery(rows, &ed.EndpointID); err != nil {
			return page.Page[EndpointDelivery]{}, fmt.Errorf("scan webhook delivery: %w", err)
		}
		items = append(items, ed)
	}
	if err := rows.Err(); err != nil {
		return page.Page[EndpointDelivery]{}, fmt.Errorf("list webhook deliveries: %w", err)
	}
	return page.Page[EndpointDelivery]{Items: items, Total: total, Limit: r.Limit, Offset: r.Offset}, nil
}

func (s sqlStore) endpointDelivery(ctx context.Context, orgID, appID, id int64) (EndpointDelivery, error) {
	var ed EndpointDelivery
	var err error
	ed.Delivery, err = scanDelivery(s.db.QueryRow(ctx, `SELECT `+deliveryColumns+`, s.id`+deliveryFrom+
		` WHERE d.org_id = ? AND d.app_id = ? AND s.org_id = ? AND d.id = ?`, orgID, appID, orgID, id), &ed.EndpointID)
	if errors.Is(err, sql.ErrNoRows) {
		return EndpointDelivery{}, fault.NotFound("webhook event")
	}
	if err != nil {
		return EndpointDelivery{}, fmt.Errorf("load webhook delivery %d: %w", id, err)
	}
	return ed, nil
}
