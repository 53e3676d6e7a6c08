// Package search cuts transcripts and documents into chunks, analyses the
// chunks of one source into a Group (stemmed terms, hashed embeddings,
// speakers) with a compact binary encoding, and ranks chunks for a query:
// Okapi BM25 blended with embedding cosine, smoothed over neighbouring
// chunks and boosted for the speakers a query names. Package index stores
// groups in the database; Index holds them in memory for small collections.
package search

import (
	"slices"
	"strings"

	"github.com/quorumhq/quorum/internal/ai"
	"github.com/quorumhq/quorum/internal/ai/text"
)

// Source says where a chunk's text comes from.
type Source string

// The sources a chunk can have.
const (
	SourceTranscript Source = "transcript"
	SourceDocument   Source = "document"
)

// Chunk is a unit of retrieval: a short run of consecutive transcript
// segments, or a passage of a document.
type Chunk struct {
	OrgID      string
	MeetingID  string
	DocumentID string
	Source     Source
	// SegmentStart and SegmentEnd are the 0-based inclusive positions of the
	// chunk's first and last segment in the meeting's imported order. For a
	// document they are the passage's position in the document.
	SegmentStart int
	SegmentEnd   int
	// Speaker is the speaker who says the most words in the chunk;
	// Speakers lists everyone who speaks in it, in order of appearance.
	Speaker    string
	Speakers   []string
	Start, End float64
	Text       string
}

// DefaultMaxWords caps the words of a transcript chunk. Small chunks keep
// hits precise; a few neighbouring turns give BM25 enough context.
const DefaultMaxWords = 120

// MaxChunkSegments caps the segments of a transcript chunk, so a long run of
// one-word turns ("Yeah." "Mm-hmm.") does not make one hit cite minutes of
// talk.
const MaxChunkSegments = 30

// ChunkTranscript groups consecutive segments into chunks of at most maxWords
// spoken words (counted after text.Clean, so "{vocalsound}" and "um" do not
// use up the budget) and MaxChunkSegments segments, never splitting a segment, except that a segment longer than
// maxWords is cut into passages of whole sentences. Windows overlap: each
// starts at the first segment past the middle (by words) of the previous
// one, so talk that straddles two windows is still found whole.
// maxWords <= 0 makes one chunk per segment.
func ChunkTranscript(segs []ai.Segment, maxWords int) []Chunk {
	var chunks []Chunk
	if maxWords <= 0 {
		for i, s := range segs {
			chunks = append(chunks, transcriptChunk(segs, i, i, s.Text))
		}
		return chunks
	}
	words := make([]int, len(segs))
	for i, s := range segs {
		words[i] = text.WordCount(text.Clean(s.Text))
	}
	for i := 0; i < len(segs); {
		if words[i] > maxWords {
			for _, p := range passages(segs[i].Text, maxWords) {
				chunks = append(chunks, transcriptChunk(segs, i, i, p))
			}
			i++
			continue
		}
		end, n := i, words[i]
		for end+1 < len(segs) && n+words[end+1] <= maxWords && end+1-i < MaxChunkSegments {
			end++
			n += words[end]
		}
		chunks = append(chunks, transcriptChunk(segs, i, end, joinText(segs[i:end+1])))
		if end+1 >= len(segs) {
			break
		}
		// Start the next window at the middle of this one, by words.
		next, half := i+1, words[i]
		for next < end && half < n/2 {
			half += words[next]
			next++
		}
		i = next
	}
	return chunks
}

func transcriptChunk(segs []ai.Segment, first, last int, body string) Chunk {
	return Chunk{
		Source:       SourceTranscript,
		SegmentStart: first,
		SegmentEnd:   last,
		Speaker:      dominantSpeaker(segs[first : last+1]),
		Speakers:     speakers(segs[first : last+1]),
		Start:        segs[first].Start,
		End:          segs[last].End,
		Text:         body,
	}
}

func joinText(segs []ai.Segment) string {
	var b strings.Builder
	for i, s := range segs {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(s.Text)
	}
	return b.String()
}

// dominantSpeaker returns the speaker with the most words, the first one on a
// tie.
func dominantSpeaker(segs []ai.Segment) string {
	best, bestWords := "", -1
	count := map[string]int{}
	for _, s := range segs {
		count[s.Speaker] += text.WordCount(s.Text)
	}
	for _, s := range segs {
		if count[s.Speaker] > bestWords {
			best, bestWords = s.Speaker, count[s.Speaker]
		}
	}
	return best
}

// speakers returns the distinct speakers of segs in order of appearance.
func speakers(segs []ai.Segment) []string {
	var out []string
	for _, s := range segs {
		if s.Speaker != "" && !slices.Contains(out, s.Speaker) {
			out = append(out, s.Speaker)
		}
	}
	return out
}

// ChunkDocument splits a plain-text document into passages of whole
// sentences of at most maxWords words, starting a new passage at each blank
// line. SegmentStart and SegmentEnd hold the passage's index.
func ChunkDocument(body string, maxWords int) []Chunk {
	var chunks []Chunk
	for _, para := range strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n\n") {
		for _, p := range passages(para, maxWords) {
			n := len(chunks)
			chunks = append(chunks, Chunk{Source: SourceDocument, SegmentStart: n, SegmentEnd: n, Text: p})
		}
	}
	return chunks
}

// passages packs the sentences of s into passages of at most maxWords words;
// a single longer sentence is cut at maxWords words.
func passages(s string, maxWords int) []string {
	if maxWords <= 0 {
		maxWords = DefaultMaxWords
	}
	var out, cur []string
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.Join(cur, " "))
			cur = cur[:0]
		}
	}
	for _, sent := range text.Sentences(s) {
		words := strings.Fields(sent)
		for len(words) > maxWords {
			flush()
			out = append(out, strings.Join(words[:maxWords], " "))
			words = words[maxWords:]
		}
		if len(cur)+len(words) > maxWords {
			flush()
		}
		cur = append(cur, words...)
	}
	flush()
	return out
}
