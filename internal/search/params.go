package search

// Params tunes scoring. DefaultParams is the shipped hybrid configuration,
// tuned on the QMSum training split (with 5-fold cross-validation over its
// meetings); BaselineParams is plain Okapi BM25.
type Params struct {
	// K1 and B are the Okapi BM25 term-frequency saturation and length
	// normalization constants.
	K1, B float64
	// PhraseWeight is the weight, relative to a word, of a pair of adjacent
	// query words found adjacent in a chunk ("belief net").
	PhraseWeight float64
	// VectorWeight blends the embedding cosine into the max-normalized BM25
	// score: 0 is BM25 alone, 1 is vectors alone.
	VectorWeight float64
	// NeighborWeight adds that share of the adjacent chunks' scores to a
	// chunk's own: meetings discuss a topic over a run of turns, so a chunk
	// surrounded by relevant talk is more likely relevant itself.
	NeighborWeight float64
	// NeighborRadius is how many chunks on each side count as neighbours.
	NeighborRadius int
	// SpeakerBoost multiplies by 1+SpeakerBoost the score of chunks in which a
	// speaker the query names ("What did Marketing say about ...") speaks.
	SpeakerBoost float64
	// SpeakerRunBoost adds to that factor its value times the share of the
	// chunks within NeighborRadius whose dominant speaker (Chunk.Speaker)
	// is a named one, whether or not they speak in the chunk itself: "What
	// did Marketing think" is answered by a run of turns where Marketing
	// holds the floor, not where Marketing only says "yeah".
	SpeakerRunBoost float64
	// RewriteQuery drops question boilerplate ("summarize the discussion
	// about", "what did the group think") that matches any chunk equally.
	RewriteQuery bool
}

// DefaultParams returns the hybrid configuration used by the product.
func DefaultParams() Params {
	return Params{
		K1: 0.9, B: 0.4, PhraseWeight: 0.25, VectorWeight: 0.3,
		NeighborWeight: 0.8, NeighborRadius: 4,
		SpeakerBoost: 1, SpeakerRunBoost: 3, RewriteQuery: true,
	}
}

// BaselineParams returns plain Okapi BM25 (k1 = 1.2, b = 0.75) with no
// vectors, smoothing, boosting or query rewriting.
func BaselineParams() Params {
	return Params{K1: 1.2, B: 0.75}
}
