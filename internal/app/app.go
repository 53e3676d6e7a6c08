// Package app wires Quorum together: database, services, background jobs
// and the HTTP API. The binary and the API tests both build it here, so the
// tests exercise exactly what runs in production.
package app

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/riverqueue/river"

	"github.com/quorumhq/quorum/internal/actionitem"
	"github.com/quorumhq/quorum/internal/agenda"
	"github.com/quorumhq/quorum/internal/agent"
	"github.com/quorumhq/quorum/internal/api"
	"github.com/quorumhq/quorum/internal/api/meetings"
	"github.com/quorumhq/quorum/internal/api/rest"
	"github.com/quorumhq/quorum/internal/apitoken"
	"github.com/quorumhq/quorum/internal/automation"
	"github.com/quorumhq/quorum/internal/blob"
	"github.com/quorumhq/quorum/internal/bot"
	"github.com/quorumhq/quorum/internal/calendar"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/chat"
	"github.com/quorumhq/quorum/internal/cloudtoken"
	"github.com/quorumhq/quorum/internal/config"
	"github.com/quorumhq/quorum/internal/connection"
	"github.com/quorumhq/quorum/internal/contextdoc"
	"github.com/quorumhq/quorum/internal/credential"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/index"
	"github.com/quorumhq/quorum/internal/insight"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/mail"
	"github.com/quorumhq/quorum/internal/media"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/netguard"
	"github.com/quorumhq/quorum/internal/nextstep"
	"github.com/quorumhq/quorum/internal/oauth"
	"github.com/quorumhq/quorum/internal/participant"
	"github.com/quorumhq/quorum/internal/realtime"
	"github.com/quorumhq/quorum/internal/secret"
	"github.com/quorumhq/quorum/internal/sso"
	"github.com/quorumhq/quorum/internal/store"
	"github.com/quorumhq/quorum/internal/template"
	"github.com/quorumhq/quorum/internal/toolkit"
	"github.com/quorumhq/quorum/internal/usage"
	"github.com/quorumhq/quorum/internal/webhook"
	"github.com/quorumhq/quorum/internal/workflow"
)

// Version is the build's version, set with -ldflags at release time.
var Version = "dev"

// App is a running Quorum instance.
type App struct {
	Config     config.Config
	Logger     *slog.Logger
	DB         *store.DB
	Identities *identity.Service
	OAuth      *oauth.Service
	Cloud      *cloudtoken.Service
	Meetings   *meeting.Service
	Index      *index.Service
	Insight    *insight.Service
	Actions    *actionitem.Service
	Agent      *agent.Service
	Blobs      *blob.Bucket
	Documents  *contextdoc.Service
	Chat       *chat.Service
	NextSteps  *nextstep.Service
	Templates  *template.Service
	Toolkits   *toolkit.Service
	Workflows  *workflow.Service
	Webhooks   *webhook.Service
	SSO        *sso.Service
	Jobs       *jobs.Queue
	Realtime   *realtime.Service
	// Tokens are the Meetings API's credentials; Usage meters work.
	Tokens       *apitoken.Service
	Usage        *usage.Service
	Participants *participant.Service
	Agenda       *agenda.Service
	Calendar     *calendar.Service
	// Automations read the events outbox and run the apps' automations.
	Automations *automation.Service
	Connections *connection.Service
	Credentials *credential.Service
	Media       *media.Service
	Bots        *bot.Service
	server      *api.Server
}

// webhookTiming sets how long a webhook delivery may be overdue (or an
// event not fanned out) before the periodic sweep takes its job for lost and
// queues a new one, and how often the sweep runs. Tests that kill a server
// shorten both.
var webhookTiming = struct{ staleAfter, sweepEvery time.Duration }{
	staleAfter: webhook.DefaultStaleAfter, sweepEvery: webhook.DefaultSweepEvery,
}

// jobTiming bounds one run of each job kind (the workers' own timeouts; the
// longest is also the default for a kind without one), and sets how long a
// job may stay running before River takes it to belong to a crashed process
// and runs it again: just above the longest timeout, since River must not
// rescue a job that may still be within its time. A job that was running
// when its process was killed runs again within about rescueAfter plus a
// minute of a restart (see TestKilledJobsComplete). The crash test shortens
// these in its child process.
var jobTiming = struct{ index, purge, context, chat, rescueAfter time.Duration }{
	index:       index.JobTimeout,
	purge:       purgeTimeout,
	context:     contextdoc.JobTimeout,
	chat:        chat.JobTimeout,
	rescueAfter: max(index.JobTimeout, purgeTimeout, webhook.JobTimeout, contextdoc.JobTimeout, chat.JobTimeout) + 15*time.Second,
}

// Open connects to the database, applies migrations and builds every
// service. Background workers start with Start.
func Open(ctx context.Context, cfg config.Config, logger *slog.Logger) (*App, error) {
	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	a := &App{Config: cfg, Logger: logger, DB: db}
	if err := a.init(ctx); err != nil {
		if a.Realtime != nil {
			_ = a.Realtime.Close(ctx)
		}
		db.Close()
		return nil, err
	}
	return a, nil
}

func (a *App) init(ctx context.Context) error {
	if err := Migrate(ctx, a.DB); err != nil {
		return err
	}
	var mailer mail.Sender = mail.LogSender{Logger: a.Logger}
	if a.Config.SMTPURL != "" {
		s, err := mail.NewSMTPSender(a.Config.SMTPURL)
		if err != nil {
			return fmt.Errorf("QUORUM_SMTP_URL: %w", err)
		}
		mailer = s
	}
	blobs, err := blob.Open(ctx, a.Config.BlobURL)
	if err != nil {
		return fmt.Errorf("QUORUM_BLOB_URL: %w", err)
	}
	a.Blobs = blobs
	key, err := secret.LoadKey(a.Config.SecretKey, a.Config.DataDir)
	if err != nil {
		return fmt.Errorf("QUORUM_SECRET_KEY: %w", err)
	}
	box, err := secret.NewBox(key)
	if err != nil {
		return fmt.Errorf("QUORUM_SECRET_KEY: %w", err)
	}
	a.Identities = identity.NewService(a.DB, a.Config.AllowPrivateURLs)
	a.OAuth = oauth.NewService(a.DB, a.Identities, mailer, a.Logger)
	a.Cloud = cloudtoken.NewService(a.DB, a.Identities)
	a.Tokens = apitoken.NewService(a.DB)
	a.Usage = usage.NewService(a.DB)
	rt, err := realtime.Open(ctx, realtime.Config{DB: a.DB, Logger: a.Logger, RedisURL: a.Config.RedisURL, NATSURL: a.Config.NATSURL,
		Prefix: a.Config.RealtimePrefix, PresenceTTL: a.Config.PresenceTTL, MaxStreams: a.Config.MaxStreams,
		MaxStreamsPerOrg: a.Config.MaxStreamsPerOrg})
	if err != nil {
		return fmt.Errorf("realtime: %w", err)
	}
	a.Realtime = rt

	workers := river.NewWorkers()
	// The queue must exist before the meeting and index services; the
	// index worker gets its service once that is built, before Start.
	indexWorker := &index.Worker{JobTimeout: jobTiming.index}
	river.AddWorker(workers, indexWorker)
	pendingWorker := &index.PendingWorker{}
	river.AddWorker(workers, pendingWorker)
	summaryWorker := &insight.SummaryWorker{}
	river.AddWorker(workers, summaryWorker)
	executeWorker, triggerWorker := &nextstep.ExecuteWorker{}, &nextstep.TriggerWorker{}
	river.AddWorker(workers, executeWorker)
	river.AddWorker(workers, triggerWorker)
	stepWorker, propagateWorker := &workflow.StepWorker{}, &toolkit.PropagateWorker{}
	river.AddWorker(workers, stepWorker)
	river.AddWorker(workers, propagateWorker)
	calendarWorker := &calendar.RefreshWorker{}
	river.AddWorker(workers, calendarWorker)
	webhookWorkers := webhook.AddWorkers(workers)
	automationWorkers := automation.AddWorkers(workers)
	mediaWorkers, botWorkers := media.AddWorkers(workers), bot.AddWorkers(workers)
	river.AddWorker(workers, &purgeWorker{purge: []func(context.Context) (int64, error){
		func(ctx context.Context) (int64, error) { return rest.PurgeExpiredKeys(ctx, a.DB) }, a.Cloud.PurgeExpired, a.OAuth.PurgeRateLimits,
		a.Realtime.PurgeExpiredTickets,
		func(ctx context.Context) (int64, error) { return a.SSO.PurgeLogins(ctx) },
	}, logger: a.Logger, timeout: jobTiming.purge})
	contextWorker := &contextdoc.Worker{}
	river.AddWorker(workers, contextWorker)
	turnWorker, expireWorker := &chat.TurnWorker{}, &chat.ExpireWorker{}
	river.AddWorker(workers, turnWorker)
	river.AddWorker(workers, expireWorker)
	q, err := jobs.New(a.DB, a.Logger, jobs.Config{
		Workers:    workers,
		MaxWorkers: a.Config.Workers,
		InsertOnly: a.Config.Workers == 0,
		PeriodicJobs: []*river.PeriodicJob{jobs.Every(time.Hour, purgeArgs{}, nil, true), webhook.PeriodicJob(webhookTiming.sweepEvery),
			jobs.Every(10*time.Minute, chat.ExpireArgs{}, nil, true), calendar.PeriodicJob(), bot.PeriodicJob(),
			jobs.Every(10*time.Minute, index.PendingArgs{}, nil, true)},
		JobTimeout:           max(jobTiming.index, jobTiming.purge),
		RescueStuckJobsAfter: jobTiming.rescueAfter,
		// SQLite has no LISTEN/NOTIFY, so an idle worker finds new jobs by
		// polling; a short interval keeps "imported" close to "searchable".
		FetchPollInterval: 200 * time.Millisecond,
		FetchCooldown:     20 * time.Millisecond,
	})
	if err != nil {
		return fmt.Errorf("job queue: %w", err)
	}
	a.Jobs = q
	a.Webhooks = webhook.NewService(webhook.Config{DB: a.DB, Queue: q, Box: box, Logger: a.Logger,
		AllowPrivateURLs: a.Config.AllowPrivateURLs, RetrySchedule: a.Config.WebhookRetrySchedule,
		Concurrency: a.Config.WebhookConcurrency, StaleAfter: webhookTiming.staleAfter, SweepEvery: webhookTiming.sweepEvery})
	webhookWorkers.Bind(a.Webhooks)
	a.Identities.SetWebhookSecrets(a.Webhooks)
	// The hook reads a.Index and a.Insight when a transcript changes, after
	// they exist: the new transcript is indexed and summarized in the
	// background, so a summary request reads a stored result.
	a.Meetings = meeting.NewService(a.DB, q, func(ctx context.Context, tx *jobs.Tx, orgID, meetingID int64) error {
		if err := a.Index.Enqueue(ctx, tx, orgID, index.SourceTranscript, meetingID); err != nil {
			return err
		}
		if err := a.Automations.TranscriptChanged(ctx, tx, orgID, meetingID); err != nil {
			return err
		}
		return a.Insight.EnqueueSummary(ctx, tx, orgID, meetingID)
	}, a.Webhooks)
	a.Index = index.NewService(a.DB, a.Meetings, a.Logger)
	indexWorker.Service = a.Index
	pendingWorker.Service, pendingWorker.Queue = a.Index, q
	eng, chatModel, model, err := engine(a.Config)
	if err != nil {
		return err
	}
	a.Insight = insight.NewService(insight.Config{DB: a.DB, Queue: q, Meetings: a.Meetings, Index: a.Index, Engine: eng,
		Model: model, Timeout: a.Config.AITimeout, Logger: a.Logger})
	a.Insight.SetEvents(a.Webhooks)
	a.Insight.SetMeter(a.Usage)
	summaryWorker.Service = a.Insight
	a.Actions = actionitem.NewService(a.DB, q, a.Webhooks, a.Meetings)
	a.Automations = automation.NewService(automation.Config{DB: a.DB, Queue: q, Events: a.Webhooks, Meetings: a.Meetings,
		ActionItems: a.Actions, Logger: a.Logger, AllowPrivateURLs: a.Config.AllowPrivateURLs})
	a.Webhooks.AddConsumer(a.Automations)
	automationWorkers.Bind(a.Automations)
	a.Connections = connection.NewService(a.DB, q, a.Webhooks)
	a.Credentials = credential.NewService(a.DB, a.Webhooks)
	a.Participants = participant.NewService(a.DB, q, a.Webhooks, a.Meetings)
	a.Agenda = agenda.NewService(a.DB, q, a.Webhooks, a.Meetings)
	a.Calendar = calendar.NewService(calendar.Config{DB: a.DB, Queue: q, Events: a.Webhooks, Meetings: a.Meetings,
		Guard: netguard.Guard{AllowPrivate: a.Config.AllowPrivateURLs}, Logger: a.Logger})
	calendarWorker.Service = a.Calendar
	var resolver sso.Resolver
	if a.Config.DNSServer != "" {
		resolver = sso.ResolverAt(a.Config.DNSServer)
	}
	a.SSO = sso.NewService(sso.Options{DB: a.DB, Queue: q, Events: a.Webhooks, Box: box, Identities: a.Identities, Logger: a.Logger,
		PublicURL: a.Config.PublicURL, AllowPrivateURLs: a.Config.AllowPrivateURLs, Resolver: resolver})
	a.Documents = contextdoc.NewService(contextdoc.Config{DB: a.DB, Queue: q, Blobs: a.Blobs, Access: a.Meetings, Index: a.Index,
		Events: a.Webhooks, Logger: a.Logger, JobTimeout: jobTiming.context})
	contextWorker.Service = a.Documents
	a.Agent = agent.NewService(agent.Config{DB: a.DB, Meetings: a.Meetings, Insight: a.Insight, Actions: a.Actions, Documents: a.Documents,
		Engine: eng, Chat: chatModel, Model: model, Logger: a.Logger, Timeout: a.Config.AITimeout})
	a.Chat = chat.NewService(chat.Config{DB: a.DB, Queue: q, Access: a.Meetings, Documents: a.Documents,
		Assistant: chat.Agent{Agent: a.Agent, Insight: a.Insight}, Events: a.Webhooks, Logger: a.Logger, JobTimeout: jobTiming.chat})
	turnWorker.Service, expireWorker.Service = a.Chat, a.Chat
	// Webhook buttons and workflow nodes call URLs partners chose, so they
	// go through the guarded client.
	guarded := netguard.Guard{AllowPrivate: a.Config.AllowPrivateURLs}.Client(10 * time.Second)
	a.NextSteps = nextstep.NewService(nextstep.Config{DB: a.DB, Queue: q, Meetings: a.Meetings, Engine: eng, Documents: a.Insight,
		Mail: mailer, HTTP: guarded, Events: a.Webhooks, Logger: a.Logger})
	executeWorker.Service, triggerWorker.Service = a.NextSteps, a.NextSteps
	a.Templates = template.NewService(template.Config{DB: a.DB, Queue: q, NextSteps: a.NextSteps, Events: a.Webhooks})
	a.Meetings.SetTemplates(a.Templates)
	a.Workflows = workflow.NewService(workflow.Config{DB: a.DB, Queue: q, Meetings: a.Meetings, NextSteps: a.NextSteps, HTTP: guarded,
		Events: a.Webhooks, Logger: a.Logger})
	stepWorker.Service = a.Workflows
	a.Toolkits = toolkit.NewService(a.DB, q, a.Logger)
	tools := media.FindTools()
	stt, err := speech(a.Config, tools, a.Logger)
	if err != nil {
		return err
	}
	a.Media = media.NewService(media.Config{DB: a.DB, Queue: q, Blobs: a.Blobs, Meetings: a.Meetings, Events: a.Webhooks,
		Guard: netguard.Guard{AllowPrivate: a.Config.AllowPrivateURLs}, Speech: stt, Tools: tools, Logger: a.Logger,
		Meter: speechMeter{a.Usage},
		Summarize: func(ctx context.Context, c caller.Caller, meetingUUID string) error {
			_, err := a.Insight.Summary(ctx, c, meetingUUID)
			return err
		}})
	mediaWorkers.Bind(a.Media)
	var provider bot.Provider
	if a.Config.BotProviderURL != "" {
		provider = bot.Attendee{BaseURL: a.Config.BotProviderURL, Key: a.Config.BotProviderKey, HTTP: &http.Client{Timeout: 30 * time.Second}}
	}
	a.Bots = bot.NewService(bot.Config{DB: a.DB, Queue: q, Meetings: a.Meetings, Media: a.Media, Provider: provider,
		WebhookURL: a.Config.PublicURL + bot.WebhookPath, WebhookSecret: a.Config.BotWebhookSecret, Logger: a.Logger})
	botWorkers.Bind(a.Bots)
	// Without a bot provider the Meetings API still stores bot meetings (and
	// says so in the log); with one, it schedules their bots.
	var meetingBots meetings.BotScheduler
	if provider != nil {
		meetingBots = a.Bots
	}
	propagateWorker.Service = a.Toolkits
	// The login form's CSRF key comes from the server key, so every replica
	// accepts a form another one served; it is derived so that no token
	// reveals anything about the key that encrypts secrets.
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("quorum login form csrf key"))
	csrfKey := mac.Sum(nil)
	a.server = api.New(api.Deps{
		DB: a.DB, Logger: a.Logger, Version: Version, PublicURL: a.Config.PublicURL,
		EnforceScopes: a.Config.EnforceScopes, MaxBodyBytes: a.Config.MaxBodyBytes, TrustedProxies: a.Config.TrustedProxies, CSRFKey: csrfKey,
		Identities: a.Identities, OAuth: a.OAuth, CloudTokens: a.Cloud, Meetings: a.Meetings, Insight: a.Insight,
		Agent: a.Agent, Actions: a.Actions, Webhooks: a.Webhooks, Realtime: a.Realtime, Documents: a.Documents, Chat: a.Chat,
		NextSteps: a.NextSteps, Templates: a.Templates, Toolkits: a.Toolkits, Workflows: a.Workflows,
		Participants: a.Participants, Agenda: a.Agenda, Calendar: a.Calendar, SSO: a.SSO, Ready: a.Ready,
		Automations: a.Automations, Connections: a.Connections, Credentials: a.Credentials,
		Media: a.Media, Bots: a.Bots, MeetingMedia: a.Media, MeetingBots: meetingBots,
		Tokens: a.Tokens, Usage: a.Usage, AllowPrivateURLs: a.Config.AllowPrivateURLs,
	})
	return nil
}

// Migrate applies every pending migration, Quorum's and the job queue's.
func Migrate(ctx context.Context, db *store.DB) error {
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	return jobs.Migrate(ctx, db)
}

// Ready reports whether the database answers and is fully migrated.
func (a *App) Ready(ctx context.Context) error {
	if err := a.DB.Ping(ctx); err != nil {
		return fmt.Errorf("database unreachable: %w", err)
	}
	n, err := a.DB.Pending(ctx)
	if err != nil {
		return err
	}
	m, err := jobs.Pending(ctx, a.DB)
	if err != nil {
		return err
	}
	if n+m > 0 {
		return fmt.Errorf("%d migrations pending", n+m)
	}
	return nil
}

// Handler is the HTTP API.
func (a *App) Handler() http.Handler { return a.server.Handler() }

// Server exposes the assembled API (for its OpenAPI document).
func (a *App) Server() *api.Server { return a.server }

// Start launches background workers. When ctx
// ends (the process is told to stop), open SSE streams get a final event
// and end, so that the HTTP server's graceful shutdown does not wait for
// them.
func (a *App) Start(ctx context.Context) error {
	context.AfterFunc(ctx, a.Realtime.Drain)
	return a.Jobs.Start(ctx)
}

// Close ends the streams, stops workers (waiting for running jobs, bounded
// by ctx) and closes the broker and the database.
func (a *App) Close(ctx context.Context) error {
	return errors.Join(a.Realtime.Close(ctx), a.Jobs.Stop(ctx), a.DB.Close(), a.Blobs.Close())
}

// speechMeter records the media pipeline's speech-to-text seconds in the
// usage ledger, outside any transaction: the seconds were spent whether or
// not the import that follows commits.
type speechMeter struct{ usage *usage.Service }

func (m speechMeter) Record(ctx context.Context, orgID int64, capability string, amount int64) error {
	return m.usage.Record(ctx, nil, orgID, capability, amount)
}
