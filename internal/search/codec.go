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

// Encode returns the binary form of g that DecodeGroup reads back. It is
// laid out in sections, so that decoding makes a handful of allocations
// whatever the size of the group: the owner's ids; the counts; the
// dictionary and the speaker names as lengths then bytes; each chunk's
// fixed fields; the term ids, two bytes each unless the dictionary needs
// four; the embeddings' scales and int8 values; and
// the chunk texts, concatenated.
func (g *Group) Encode() []byte {
	b := make([]byte, 0, 64+len(g.tokens)*2+len(g.vectors)+len(g.chunks)*48)
	b = append(b, groupFormat)
	for _, s := range []string{g.orgID, g.meetingID, g.documentID, string(g.source)} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	for _, n := range []int{len(g.dict), len(g.speakerNames), len(g.chunks), len(g.tokens)} {
		b = binary.AppendUvarint(b, uint64(n))
	}
	b = appendStrings(b, g.dict)
	b = appendStrings(b, g.speakerNames)
	speaker := make(map[string]int, len(g.speakerNames))
	for i, name := range g.speakerNames {
		speaker[name] = i + 1
	}
	for i, c := range g.chunks {
		b = binary.AppendUvarint(b, uint64(c.SegmentStart))
		b = binary.AppendUvarint(b, uint64(c.SegmentEnd))
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(c.Start))
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(c.End))
		b = binary.AppendUvarint(b, g.speakers[i])
		b = binary.AppendUvarint(b, g.dominant[i])
		b = binary.AppendUvarint(b, uint64(speaker[c.Speaker])) // 0: none
		b = binary.AppendUvarint(b, uint64(g.chunkLen(i)))
		b = binary.AppendUvarint(b, uint64(len(c.Text)))
	}
	if len(g.dict) <= math.MaxUint16+1 {
		b = append(b, 2)
		for _, t := range g.tokens {
			b = binary.LittleEndian.AppendUint16(b, uint16(t))
		}
	} else {
		b = append(b, 4)
		for _, t := range g.tokens {
			b = binary.LittleEndian.AppendUint32(b, t)
		}
	}
	for _, s := range g.scales {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(s))
	}
	for _, x := range g.vectors {
		b = append(b, byte(x))
	}
	for _, c := range g.chunks {
		b = append(b, c.Text...)
	}
	return b
}

// appendStrings appends the lengths of ss, then their bytes.
func appendStrings(b []byte, ss []string) []byte {
	for _, s := range ss {
		b = binary.AppendUvarint(b, uint64(len(s)))
	}
	for _, s := range ss {
		b = append(b, s...)
	}
	return b
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

// count reads a count or length that must fit in what is left, each
// element taking at least min bytes.
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
	if n < 0 || n > len(d.b) {
		d.err = errCorrupt
		return nil
	}
	out := d.b[:n]
	d.b = d.b[n:]
	return out
}

func (d *decoder) string() string { return string(d.bytes(d.count(1))) }

// strings reads n strings written by appendStrings, sharing one allocation.
func (d *decoder) strings(n int) []string {
	lens := make([]int, n)
	total := 0
	for i := range lens {
		lens[i] = d.count(1)
		total += lens[i]
	}
	all := string(d.bytes(total))
	out := make([]string, n)
	for i, l := range lens {
		if d.err != nil {
			return out
		}
		out[i], all = all[:l], all[l:]
	}
	return out
}

// DecodeGroup parses the output of Group.Encode.
func DecodeGroup(b []byte) (*Group, error) {
	if len(b) == 0 || b[0] != groupFormat {
		return nil, fmt.Errorf("search: encoded group has an unknown format")
	}
	d := &decoder{b: b[1:]}
	g := &Group{orgID: d.string(), meetingID: d.string(), documentID: d.string(), source: Source(d.string())}
	nDict, nSpeakers, n, nTokens := d.count(1), d.count(1), d.count(7+4+hashembed.Dim), d.count(1)
	g.dict = d.strings(nDict)
	g.speakerNames = d.strings(nSpeakers)
	g.nameStems = nameStems(g.speakerNames)
	g.chunks = make([]Chunk, n)
	g.starts = make([]int32, n+1)
	g.speakers, g.dominant = make([]uint64, n), make([]uint64, n)
	textLens := make([]int, n)
	for i := range g.chunks {
		c := &g.chunks[i]
		c.SegmentStart, c.SegmentEnd = int(d.uvarint()), int(d.uvarint())
		if f := d.bytes(16); f != nil {
			c.Start = math.Float64frombits(binary.LittleEndian.Uint64(f))
			c.End = math.Float64frombits(binary.LittleEndian.Uint64(f[8:]))
		}
		g.speakers[i], g.dominant[i] = d.uvarint(), d.uvarint()
		if s := d.uvarint(); s > 0 {
			if s > uint64(len(g.speakerNames)) {
				return nil, errCorrupt
			}
			c.Speaker = g.speakerNames[s-1]
		}
		g.starts[i+1] = g.starts[i] + int32(d.count(1))
		textLens[i] = d.count(1)
	}
	if d.err != nil {
		return nil, d.err
	}
	if int(g.starts[n]) != nTokens {
		return nil, errCorrupt
	}
	g.tokens = make([]uint32, nTokens)
	width := d.bytes(1)
	if width == nil || (width[0] != 2 && width[0] != 4) {
		return nil, errCorrupt
	}
	ids := d.bytes(nTokens * int(width[0]))
	for i := 0; i < nTokens && ids != nil; i++ {
		var t uint32
		if width[0] == 2 {
			t = uint32(binary.LittleEndian.Uint16(ids[2*i:]))
		} else {
			t = binary.LittleEndian.Uint32(ids[4*i:])
		}
		if t >= uint32(len(g.dict)) {
			return nil, errCorrupt
		}
		g.tokens[i] = t
	}
	g.scales = make([]float32, n)
	for i, s := 0, d.bytes(4*n); i < n && s != nil; i++ {
		g.scales[i] = math.Float32frombits(binary.LittleEndian.Uint32(s[4*i:]))
	}
	g.vectors = make([]int8, n*hashembed.Dim)
	for i, x := range d.bytes(n * hashembed.Dim) {
		g.vectors[i] = int8(x)
	}
	total := 0
	for _, l := range textLens {
		total += l
	}
	texts := string(d.bytes(total))
	for i, l := range textLens {
		if d.err != nil {
			break
		}
		g.chunks[i].Text, texts = texts[:l], texts[l:]
	}
	if d.err == nil && len(d.b) != 0 {
		d.err = errCorrupt
	}
	if d.err != nil {
		return nil, d.err
	}
	return g, nil
}
