package openai

import (
	"context"
	"errors"

	oai "github.com/openai/openai-go/v3"
)

// Embed implements ai.Engine with the embeddings endpoint and
// Config.EmbedModel: one vector per text, in order. Texts go in batches so a
// large re-index is not one giant request. Float encoding is named rather
// than left to the server's default, since not every compatible server
// implements base64.
func (p *Provider) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	const op = "embed"
	if p.cfg.EmbedModel == "" {
		return nil, errors.New("openai: embed: no embeddings model configured (EmbedModel)")
	}
	out := make([][]float32, 0, len(texts))
	for start := 0; start < len(texts); start += embedBatch {
		batch := texts[start:min(start+embedBatch, len(texts))]
		input := make([]string, len(batch))
		for i, t := range batch {
			// OpenAI rejects empty inputs; a lone space embeds as "nothing"
			// and keeps the output aligned with the input.
			if t == "" {
				t = " "
			}
			input[i] = t
		}
		res, err := p.embeddings.New(ctx, oai.EmbeddingNewParams{
			Model:          p.cfg.EmbedModel,
			Input:          oai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: input},
			EncodingFormat: oai.EmbeddingNewParamsEncodingFormatFloat,
		})
		if err != nil {
			return nil, wrapErr(ctx, op, err)
		}
		if len(res.Data) != len(batch) {
			return nil, badResponse(op, "got %d vectors for %d inputs", len(res.Data), len(batch))
		}
		vecs := make([][]float32, len(batch))
		for _, d := range res.Data {
			// Vectors carry their input's index; servers may reorder them.
			if d.Index < 0 || int(d.Index) >= len(batch) || vecs[d.Index] != nil {
				return nil, badResponse(op, "vector index %d out of place", d.Index)
			}
			v := make([]float32, len(d.Embedding))
			for i, f := range d.Embedding {
				v[i] = float32(f)
			}
			vecs[d.Index] = v
		}
		for i, v := range vecs {
			if len(v) == 0 || (i > 0 && len(v) != len(vecs[0])) {
				return nil, badResponse(op, "vector %d is empty or of another dimension", start+i)
			}
		}
		out = append(out, vecs...)
	}
	return out, nil
}
