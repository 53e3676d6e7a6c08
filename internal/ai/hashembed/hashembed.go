// Package hashembed computes deterministic text embeddings without a model:
// word unigrams, word bigrams and character trigrams are hashed with random
// signs into a fixed number of dimensions (the "hashing trick") and the
// result is L2-normalized, so a dot product is a cosine similarity.
//
// The vectors capture lexical overlap, including partial word overlap through
// trigrams ("transcriber" ~ "transcription"), which BM25 on stems misses.
package hashembed

import (
	"math"

	"github.com/quorumhq/quorum/internal/ai/text"
)

// Dim is the length of every vector Embed returns. Changing it invalidates
// stored vectors.
const Dim = 384

// Feature weights: whole words carry most of the signal, trigrams add fuzzy
// matching without drowning it.
const (
	unigramWeight = 1.0
	bigramWeight  = 0.5
	trigramWeight = 0.25
)

// Embed returns the L2-normalized hashed embedding of s. Text without any
// content word yields the zero vector.
func Embed(s string) []float32 {
	v := make([]float32, Dim)
	terms := text.Terms(s)
	for i, t := range terms {
		add(v, hash(0, t, ""), unigramWeight)
		if i > 0 {
			add(v, hash(1, terms[i-1], t), bigramWeight)
		}
		padded := "<" + t + ">"
		for j := 0; j+3 <= len(padded); j++ {
			add(v, hash(2, padded[j:j+3], ""), trigramWeight)
		}
	}
	Normalize(v)
	return v
}

// Normalize scales v to unit length in place; the zero vector stays zero.
func Normalize(v []float32) {
	var sum float64
	for _, x := range v {
		sum += float64(x) * float64(x)
	}
	if sum == 0 {
		return
	}
	inv := float32(1 / math.Sqrt(sum))
	for i := range v {
		v[i] *= inv
	}
}

// Dot returns the dot product of two vectors of equal length. It is the
// inner loop of vector search, so it runs four independent sums.
func Dot(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return s0 + s1 + s2 + s3
}

// add puts weight w at the hashed position with the hash's sign, so that
// collisions cancel out on average instead of accumulating.
func add(v []float32, h uint64, w float32) {
	if h>>63 == 1 {
		w = -w
	}
	v[h%Dim] += w
}

// hash is 64-bit FNV-1a over a kind byte and up to two strings joined by a
// separator, computed without allocating.
func hash(kind byte, a, b string) uint64 {
	const offset, prime = 14695981039346656037, 1099511628211
	h := uint64(offset)
	h = (h ^ uint64(kind)) * prime
	for i := 0; i < len(a); i++ {
		h = (h ^ uint64(a[i])) * prime
	}
	if b != "" {
		h = (h ^ ' ') * prime
		for i := 0; i < len(b); i++ {
			h = (h ^ uint64(b[i])) * prime
		}
	}
	return h
}
