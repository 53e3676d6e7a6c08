package search

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/quorumhq/quorum/internal/ai/hashembed"
)

// groupFormat is the first byte of an encoded group. Bump it when the
// layout changes; DecodeGroup refuses other versions, and a migration must
// then queue every source for reindexing.
const groupFormat = 1

// Encode returns the binary form of g that DecodeGroup reads back:
// varint-prefixed strings and numbers, then the term ids, the int8
// embeddings and the chunk texts.
func (g *Group) Encode() []byte {
	b := make([]byte, 0, 64+len(g.tokens)*2+len(g.vectors)+len(g.chunks)*(12+hashembed.Dim))
	b = append(b, groupFormat)
	for _, s := range []string{g.orgID, g.meetingID, g.documentID, string(g.source)} {
		b = appendString(b, s)
	}
	b = binary.AppendUvarint(b, uint64(len(g.dict)))
	for _, t := range g.dict {
		b = appendString(b, t)
	}
	b = binary.AppendUvarint(b, uint64(len(g.speakerNames)))
	for _, s := range g.speakerNames {
		b = appendString(b, s)
	}
	b = binary.AppendUvarint(b, uint64(len(g.chunks)))
	for i, c := range g.chunks {
		b = binary.AppendUvarint(b, uint64(c.SegmentStart))
		b = binary.AppendUvarint(b, uint64(c.SegmentEnd))
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(c.Start))
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(c.End))
		b = binary.AppendUvarint(b, g.speakers[i])
		b = binary.AppendUvarint(b, g.dominant[i])
		b = appendString(b, c.Speaker)
		b = appendString(b, c.Text)
		terms := g.tokens[g.starts[i]:g.starts[i+1]]
		b = binary.AppendUvarint(b, uint64(len(terms)))
		for _, t := range terms {
			b = binary.AppendUvarint(b, uint64(t))
		}
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(g.scales[i]))
		for _, x := range g.vectors[i*hashembed.Dim : (i+1)*hashembed.Dim] {
			b = append(b, byte(x))
		}
	}
	return b
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// errCorrupt reports an encoded group that ends early or holds impossible
// values.
var errCorrupt = errors.New("search: corrupt encoded group")

// decoder reads what Encode wrote, remembering the first error.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errCorrupt
		return 0
	}
	d.b = d.b[n:]
	return v
}

// count reads a length that must fit in what is left, each element taking
// at least min bytes.
func (d *decoder) count(min int) int {
	n := d.uvarint()
	if d.err == nil && n > uint64(len(d.b)/min) {
		d.err = errCorrupt
		return 0
	}
	return int(n)
}

func (d *decoder) bytes(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n > len(d.b) {
		d.err = errCorrupt
		return nil
	}
	out := d.b[:n]
	d.b = d.b[n:]
	return out
}

func (d *decoder) string() string { return string(d.bytes(d.count(1))) }

func (d *decoder) float64() float64 {
	if b := d.bytes(8); b != nil {
		return math.Float64frombits(binary.LittleEndian.Uint64(b))
	}
	return 0
}

// DecodeGroup parses the output of Group.Encode.
func DecodeGroup(b []byte) (*Group, error) {
	if len(b) == 0 || b[0] != groupFormat {
		return nil, fmt.Errorf("search: encoded group has an unknown format")
	}
	d := &decoder{b: b[1:]}
	g := &Group{orgID: d.string(), meetingID: d.string(), documentID: d.string(), source: Source(d.string())}
	g.dict = make([]string, d.count(1))
	g.ids = make(map[string]uint32, len(g.dict))
	for i := range g.dict {
		g.dict[i] = d.string()
		g.ids[g.dict[i]] = uint32(i)
	}
	g.speakerNames = make([]string, d.count(1))
	for i := range g.speakerNames {
		g.speakerNames[i] = d.string()
	}
	n := d.count(20 + hashembed.Dim)
	g.chunks = make([]Chunk, n)
	g.starts = make([]int32, 1, n+1)
	g.speakers, g.dominant = make([]uint64, n), make([]uint64, n)
	g.scales = make([]float32, n)
	g.vectors = make([]int8, n*hashembed.Dim)
	for i := range g.chunks {
		c := &g.chunks[i]
		c.SegmentStart, c.SegmentEnd = int(d.uvarint()), int(d.uvarint())
		c.Start, c.End = d.float64(), d.float64()
		g.speakers[i], g.dominant[i] = d.uvarint(), d.uvarint()
		c.Speaker, c.Text = d.string(), d.string()
		for range d.count(1) {
			t := d.uvarint()
			if t >= uint64(len(g.dict)) {
				return nil, errCorrupt
			}
			g.tokens = append(g.tokens, uint32(t))
		}
		g.starts = append(g.starts, int32(len(g.tokens)))
		if s := d.bytes(4); s != nil {
			g.scales[i] = math.Float32frombits(binary.LittleEndian.Uint32(s))
		}
		for k, x := range d.bytes(hashembed.Dim) {
			g.vectors[i*hashembed.Dim+k] = int8(x)
		}
	}
	if d.err == nil && len(d.b) != 0 {
		d.err = errCorrupt
	}
	if d.err != nil {
		return nil, d.err
	}
	return g, nil
}
