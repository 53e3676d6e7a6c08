package media

import (
	"context"
	"time"

	"github.com/riverqueue/river"
)

// stepArgs names the import a step works on.
type stepArgs struct {
	OrgID    int64 `json:"org_id"`
	ImportID int64 `json:"import_id"`
	// KeepTranscript stores a recording without transcribing it: the
	// meeting's transcript came from elsewhere (the bot provider).
	KeepTranscript bool `json:"keep_transcript,omitempty"`
}

// DownloadArgs is the job that downloads an import's file and stores it.
type DownloadArgs stepArgs

// TranscribeArgs is the job that imports a stored transcript file or
// transcribes a stored recording into the meeting.
type TranscribeArgs stepArgs

// SummarizeArgs is the job that waits for the summary of the new
// transcript and announces it.
type SummarizeArgs stepArgs

// Kind implements river.JobArgs.
func (DownloadArgs) Kind() string { return "media_download" }

// Kind implements river.JobArgs.
func (TranscribeArgs) Kind() string { return "media_transcribe" }

// Kind implements river.JobArgs.
func (SummarizeArgs) Kind() string { return "media_summarize" }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (DownloadArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: maxAttempts} }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (TranscribeArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: maxAttempts}
}

// InsertOpts implements river.JobArgsWithInsertOpts.
func (SummarizeArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: maxAttempts} }

// JobTimeout bounds one step: a long recording takes a while to decode
// and transcribe offline.
const JobTimeout = 30 * time.Minute

// Workers are the pipeline's River workers, registered before the service
// exists and bound to it after.
type Workers struct {
	download   *downloadWorker
	transcribe *transcribeWorker
	summarize  *summarizeWorker
}

// AddWorkers registers the pipeline's workers.
func AddWorkers(w *river.Workers) *Workers {
	ws := &Workers{download: &downloadWorker{}, transcribe: &transcribeWorker{}, summarize: &summarizeWorker{}}
	river.AddWorker(w, ws.download)
	river.AddWorker(w, ws.transcribe)
	river.AddWorker(w, ws.summarize)
	return ws
}

// Bind gives the workers their service.
func (w *Workers) Bind(s *Service) { w.download.s, w.transcribe.s, w.summarize.s = s, s, s }

type downloadWorker struct {
	river.WorkerDefaults[DownloadArgs]
	s *Service
}

func (w *downloadWorker) Timeout(*river.Job[DownloadArgs]) time.Duration { return JobTimeout }

func (w *downloadWorker) Work(ctx context.Context, job *river.Job[DownloadArgs]) error {
	return w.s.finish(ctx, stepArgs(job.Args), job.Attempt, StatusTranscriptionFailed, w.s.runDownload(ctx, job.Args))
}

type transcribeWorker struct {
	river.WorkerDefaults[TranscribeArgs]
	s *Service
}

func (w *transcribeWorker) Timeout(*river.Job[TranscribeArgs]) time.Duration { return JobTimeout }

func (w *transcribeWorker) Work(ctx context.Context, job *river.Job[TranscribeArgs]) error {
	return w.s.finish(ctx, stepArgs(job.Args), job.Attempt, StatusTranscriptionFailed, w.s.runTranscribe(ctx, job.Args))
}

type summarizeWorker struct {
	river.WorkerDefaults[SummarizeArgs]
	s *Service
}

func (w *summarizeWorker) Timeout(*river.Job[SummarizeArgs]) time.Duration { return JobTimeout }

func (w *summarizeWorker) Work(ctx context.Context, job *river.Job[SummarizeArgs]) error {
	return w.s.finish(ctx, stepArgs(job.Args), job.Attempt, StatusSummarizationFailed, w.s.runSummarize(ctx, job.Args))
}
