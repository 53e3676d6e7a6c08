package index

import (
	"context"
	"fmt"

	"github.com/quorumhq/quorum/internal/ai"
	"github.com/quorumhq/quorum/internal/search"
	"github.com/quorumhq/quorum/internal/transcript"
)

// ReindexRead finishes an index run as if it had read segs as the given
// transcript version, for tests of a run that lost a race with a change.
func ReindexRead(ctx context.Context, s *Service, a Args, segs []transcript.Segment, version int64) error {
	read := make([]ai.Segment, len(segs))
	for i, seg := range segs {
		read[i] = ai.Segment{Speaker: seg.Speaker, Text: seg.Text, Start: seg.Start, End: seg.End}
	}
	chunks := search.ChunkTranscript(read, search.DefaultMaxWords)
	for i := range chunks {
		chunks[i].OrgID = fmt.Sprint(a.OrgID)
	}
	g, err := search.NewGroup(chunks)
	if err != nil {
		return err
	}
	_, err = s.store(ctx, a, g, readState{transcriptVersion: version})
	return err
}
