package media

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"github.com/quorumhq/quorum/internal/ai/openai"
	"github.com/quorumhq/quorum/internal/transcript"
)

// Speech turns 16 kHz mono WAV audio into timed transcript segments.
type Speech interface {
	// Name says which backend this is, for logs and errors.
	Name() string
	// Transcribe reads the WAV file at path.
	Transcribe(ctx context.Context, wavPath string) ([]transcript.Segment, error)
}

// OfflinePackages is what an operator installs (Debian) for the offline
// speech backend and for decoding media at all.
const OfflinePackages = "ffmpeg pocketsphinx pocketsphinx-en-us"

// Tools reports which of the external programs the pipeline runs are on
// PATH: ffmpeg and ffprobe decode and probe media; pocketsphinx is the
// offline speech engine.
type Tools struct {
	FFmpeg, FFprobe, Pocketsphinx string
}

// FindTools looks the programs up on PATH; a missing one is "".
func FindTools() Tools {
	look := func(names ...string) string {
		for _, n := range names {
			if p, err := exec.LookPath(n); err == nil {
				return p
			}
		}
		return ""
	}
	return Tools{FFmpeg: look("ffmpeg"), FFprobe: look("ffprobe"), Pocketsphinx: look("pocketsphinx_continuous")}
}

// Pocketsphinx is the offline speech backend: CMU PocketSphinx with its US
// English model, from Debian (pocketsphinx, pocketsphinx-en-us), run as a
// subprocess per file.
type Pocketsphinx struct {
	// Path is the pocketsphinx_continuous binary.
	Path string
	// Speaker labels every segment, since PocketSphinx does not diarize.
	Speaker string
}

// Name implements Speech.
func (p Pocketsphinx) Name() string { return "pocketsphinx (offline)" }

// Transcribe implements Speech. With -time yes the program prints one
// line per recognized word ("word start end confidence"), utterances
// delimited by <s> and </s>; every utterance becomes a segment.
func (p Pocketsphinx) Transcribe(ctx context.Context, wavPath string) ([]transcript.Segment, error) {
	cmd := exec.CommandContext(ctx, p.Path, "-infile", wavPath, "-time", "yes", "-logfn", os.DevNull)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("pocketsphinx: %w: %s", err, tail(stderr.String()))
	}
	return parsePocketsphinx(out, p.Speaker), nil
}

func parsePocketsphinx(out []byte, speaker string) []transcript.Segment {
	if speaker == "" {
		speaker = "Speaker 1"
	}
	var segs []transcript.Segment
	var cur *transcript.Segment
	var words []string
	flush := func() {
		if cur != nil && len(words) > 0 {
			cur.Text = strings.Join(words, " ")
			segs = append(segs, *cur)
		}
		cur, words = nil, nil
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 4 {
			continue // the hypothesis line of an utterance
		}
		start, err1 := strconv.ParseFloat(f[1], 64)
		end, err2 := strconv.ParseFloat(f[2], 64)
		if err1 != nil || err2 != nil {
			continue
		}
		word := f[0]
		switch {
		case word == "<s>":
			flush()
			cur = &transcript.Segment{Speaker: speaker, Start: start, End: end}
			continue
		case word == "</s>":
			if cur != nil {
				cur.End = end
			}
			flush()
			continue
		case strings.HasPrefix(word, "<") || strings.HasPrefix(word, "[") || strings.HasPrefix(word, "++"):
			continue // silence and noise fillers
		}
		if cur == nil {
			cur = &transcript.Segment{Speaker: speaker, Start: start}
		}
		if i := strings.IndexByte(word, '('); i > 0 { // an alternative pronunciation, "the(2)"
			word = word[:i]
		}
		words = append(words, word)
		cur.End = end
	}
	flush()
	return segs
}

// Remote is the speech backend of an OpenAI-compatible endpoint
// (/v1/audio/transcriptions).
type Remote struct {
	Provider *openai.Provider
	// Speaker labels every segment: the endpoints do not diarize.
	Speaker string
}

// Name implements Speech.
func (r Remote) Name() string { return "OpenAI-compatible /v1/audio/transcriptions" }

// Transcribe implements Speech.
func (r Remote) Transcribe(ctx context.Context, wavPath string) ([]transcript.Segment, error) {
	f, err := os.Open(wavPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	t, err := r.Provider.Transcribe(ctx, f, "audio.wav", "")
	if err != nil {
		return nil, err
	}
	speaker := r.Speaker
	if speaker == "" {
		speaker = "Speaker 1"
	}
	segs := make([]transcript.Segment, 0, len(t.Segments))
	for _, s := range t.Segments {
		if text := strings.TrimSpace(s.Text); text != "" {
			segs = append(segs, transcript.Segment{Speaker: speaker, Text: text, Start: s.Start, End: s.End})
		}
	}
	return segs, nil
}

// errNoSpeech is why a recording cannot be transcribed on a server
// without any speech backend.
var errNoSpeech = errors.New("no speech-to-text backend: set QUORUM_AI_BASE_URL or install " + OfflinePackages)

// decode converts any audio or video file to 16 kHz mono 16-bit WAV.
func decode(ctx context.Context, ffmpeg, in, out string) error {
	if ffmpeg == "" {
		return errors.New("ffmpeg is not installed (Debian package ffmpeg): audio and video cannot be decoded")
	}
	cmd := exec.CommandContext(ctx, ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", in,
		"-vn", "-ac", "1", "-ar", "16000", "-c:a", "pcm_s16le", "-f", "wav", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("ffmpeg: %w: %s", err, tail(string(msg)))
	}
	return nil
}

// Probe is what ffprobe reads from a media file.
type Probe struct {
	// Format is the container's short name(s), e.g. "wav" or "mov,mp4,m4a".
	Format string
	// Duration is in seconds, 0 when unknown.
	Duration float64
}

func probe(ctx context.Context, ffprobe, path string) (Probe, error) {
	if ffprobe == "" {
		return Probe{}, errors.New("ffprobe is not installed (Debian package ffmpeg)")
	}
	out, err := exec.CommandContext(ctx, ffprobe, "-v", "error", "-show_entries", "format=format_name,duration", "-of", "json", path).Output()
	if err != nil {
		return Probe{}, fmt.Errorf("ffprobe: %w", err)
	}
	var v struct {
		Format struct {
			Name     string `json:"format_name"`
			Duration string `json:"duration"`
		} `json:"format"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		return Probe{}, fmt.Errorf("ffprobe output: %w", err)
	}
	d, _ := strconv.ParseFloat(v.Format.Duration, 64)
	return Probe{Format: v.Format.Name, Duration: d}, nil
}

// tail keeps the end of a tool's error output for an error message.
func tail(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 500 {
		s = s[len(s)-500:]
	}
	return s
}
