package analysis

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/internal/ai"
	"github.com/quorumhq/quorum/internal/fault"
)

var salesDemo = []ai.Segment{
	seg("Rep", "Hi Jordan, thanks for joining today."),
	seg("Jordan", "Happy to be here."),
	seg("Rep", "How does your team handle meeting notes today?"),
	seg("Jordan", "Everyone writes their own notes in Google Docs and half of them get lost."),
	seg("Rep", "What happens when notes get lost?"),
	seg("Jordan", "Decisions get revisited and projects slip by weeks."),
	seg("Rep", "Our pricing is twenty dollars per seat, and annual plans get a fifteen percent discount."),
	seg("Jordan", "That discount helps a lot for fifty seats."),
	seg("Rep", "I'll send the contract by Friday."),
}

func TestRubricPicksEvidence(t *testing.T) {
	spec := RubricSpec{Name: "discovery call", Criteria: []Criterion{
		{Key: "pricing", Description: "Explains pricing and discounts clearly", Weight: 2},
		{Key: "discovery", Description: "Asks discovery questions about how the team handles notes today"},
		{Key: "security", Description: "Addresses security and compliance requirements"},
		{Key: "next_steps"},
	}}
	res, err := Rubric(salesDemo, spec)
	require.NoError(t, err)
	assert.Equal(t, "discovery call", res.Name)
	require.Len(t, res.Scores, 4)
	byKey := map[string]CriterionScore{}
	for _, s := range res.Scores {
		byKey[s.Key] = s
	}

	pricing := byKey["pricing"]
	require.NotEmpty(t, pricing.Evidence)
	assert.Equal(t, Evidence{SegmentIndex: 6, Speaker: "Rep", Text: salesDemo[6].Text}, pricing.Evidence[0])
	assert.Equal(t, []string{"pricing", "discounts"}, pricing.MatchedTerms)
	assert.Empty(t, pricing.MissingTerms)
	assert.Equal(t, 2.0, pricing.Weight)
	assert.GreaterOrEqual(t, pricing.Score, 80.0)

	discovery := byKey["discovery"]
	require.NotEmpty(t, discovery.Evidence)
	assert.Equal(t, 2, discovery.Evidence[0].SegmentIndex)
	assert.Contains(t, discovery.MatchedTerms, "(questions)")
	assert.GreaterOrEqual(t, discovery.Score, 70.0)

	security := byKey["security"]
	assert.Zero(t, security.Score)
	assert.Empty(t, security.Evidence)
	assert.Equal(t, []string{"addresses", "security", "compliance", "requirements"}, security.MissingTerms)
	assert.Equal(t, "No turn in the transcript addresses this criterion.", security.Rationale)

	steps := byKey["next_steps"]
	require.NotEmpty(t, steps.Evidence, "a key without description is searched by its words")
	assert.Equal(t, 8, steps.Evidence[0].SegmentIndex)
	assert.Equal(t, 1.0, steps.Weight, "weight 0 means the default 1")

	want := (2*pricing.Score + discovery.Score + security.Score + steps.Score) / 5
	assert.InDelta(t, want, res.Overall, 0.051)
	for _, s := range res.Scores {
		assert.GreaterOrEqual(t, s.Score, 0.0)
		assert.LessOrEqual(t, s.Score, 100.0)
		assert.NotEmpty(t, s.Rationale)
	}
}

func TestRubricIsDeterministic(t *testing.T) {
	spec := RubricSpec{Criteria: []Criterion{{Key: "pricing", Description: "pricing"}, {Key: "notes", Description: "meeting notes"}}}
	a, err := Rubric(salesDemo, spec)
	require.NoError(t, err)
	b, err := Rubric(salesDemo, spec)
	require.NoError(t, err)
	assert.Equal(t, a, b)
}

func TestRubricValidation(t *testing.T) {
	many := make([]Criterion, MaxCriteria+1)
	for i := range many {
		many[i] = Criterion{Key: fmt.Sprintf("k%d", i)}
	}
	cases := []struct {
		name  string
		spec  RubricSpec
		field string
	}{
		{"no criteria", RubricSpec{Name: "x"}, "rubric.criteria"},
		{"too many criteria", RubricSpec{Criteria: many}, "rubric.criteria"},
		{"empty key", RubricSpec{Criteria: []Criterion{{Key: "a"}, {Key: "  "}}}, "rubric.criteria[1].key"},
		{"duplicate key", RubricSpec{Criteria: []Criterion{{Key: "a"}, {Key: "b"}, {Key: "a"}}}, "rubric.criteria[2].key"},
		{"negative weight", RubricSpec{Criteria: []Criterion{{Key: "a", Weight: -1}}}, "rubric.criteria[0].weight"},
		{"huge weight", RubricSpec{Criteria: []Criterion{{Key: "a", Weight: 1e308}}}, "rubric.criteria[0].weight"},
		{"weight over the limit", RubricSpec{Criteria: []Criterion{{Key: "a"}, {Key: "b", Weight: MaxWeight + 1}}}, "rubric.criteria[1].weight"},
		{"description too long", RubricSpec{Criteria: []Criterion{{Key: "a", Description: strings.Repeat("é", MaxDescriptionLength+1)}}}, "rubric.criteria[0].description"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Rubric(salesDemo, tc.spec)
			require.Error(t, err)
			fe, ok := fault.As(err)
			require.True(t, ok, "want a *fault.Error, got %T", err)
			assert.Equal(t, fault.KindInvalid, fe.Kind)
			assert.Equal(t, "validation_error", fe.Code)
			assert.Equal(t, tc.field, fe.Field)
			assert.ErrorIs(t, err, fault.ErrInvalid)
		})
	}

	ok := RubricSpec{Criteria: []Criterion{{Key: "a", Description: strings.Repeat("é", MaxDescriptionLength)}}}
	assert.NoError(t, ok.Validate(), "the limit counts characters, not bytes")
	assert.NoError(t, RubricSpec{Criteria: many[:MaxCriteria]}.Validate())
	assert.NoError(t, RubricSpec{Criteria: []Criterion{{Key: "a", Weight: MaxWeight}}}.Validate())
}

func TestRubricEmptyTranscript(t *testing.T) {
	res, err := Rubric(nil, RubricSpec{Criteria: []Criterion{{Key: "a", Description: "anything"}}})
	require.NoError(t, err)
	require.Len(t, res.Scores, 1)
	assert.Zero(t, res.Scores[0].Score)
	assert.Zero(t, res.Overall)
}
