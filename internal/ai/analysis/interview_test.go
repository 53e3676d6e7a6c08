package analysis

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/internal/ai"
)

var interviewDemo = []ai.Segment{
	seg("Sam", "Thanks for coming in, Ana."),
	seg("Ana", "Thank you for having me."),
	seg("Sam", "Let's start. Tell me about a time you led a difficult migration?"),
	seg("Ana", "At my last company I led the move of our billing service from a monolith to Go services on Kubernetes."),
	seg("Sam", "Mm-hmm."),
	seg("Ana", "We cut p99 latency by 40% and the migration finished two weeks early."),
	seg("Sam", "Have you worked with Postgres replication?"),
	seg("Ana", "No, I haven't used replication much, to be honest."),
	seg("Sam", "What would you improve about your last team's on-call process?"),
	seg("Ana", "Fewer alerts."),
	seg("Sam", "Great, we'll be in touch by Friday."),
}

func TestInterview(t *testing.T) {
	r := Interview(interviewDemo, "Backend engineer: Go, Kubernetes, Postgres")

	assert.Equal(t, "Sam", r.Interviewer)
	assert.Equal(t, "Ana", r.Candidate)
	assert.Equal(t, BasisWords, r.TalkTimeBasis)
	assert.Greater(t, r.CandidateTalkShare, 0.5)

	assert.Equal(t, []InterviewQuestion{
		{SegmentIndex: 2, Question: "Tell me about a time you led a difficult migration?", Kind: "behavioral",
			AnswerStart: 3, AnswerEnd: 5, AnswerWords: 20 + 13},
		{SegmentIndex: 6, Question: "Have you worked with Postgres replication?", Kind: "closed",
			AnswerStart: 7, AnswerEnd: 7, AnswerWords: 9},
		{SegmentIndex: 8, Question: "What would you improve about your last team's on-call process?", Kind: "open",
			AnswerStart: 9, AnswerEnd: 9, AnswerWords: 2},
	}, r.Questions)
	assert.InDelta(t, (33.0+9+2)/3, r.AverageAnswerWords, 0.05)

	var strengthSegs, concernCues []string
	for _, s := range r.Strengths {
		strengthSegs = append(strengthSegs, s.Cue)
	}
	for _, c := range r.Concerns {
		concernCues = append(concernCues, c.Cue)
	}
	assert.Equal(t, []string{"i led", "quantified result 40%"}, strengthSegs)
	assert.Equal(t, []string{"haven't used", "brief answer (2 words) to an open question"}, concernCues)
	require.Len(t, r.Concerns, 2)
	assert.Equal(t, 7, r.Concerns[0].SegmentIndex)
	assert.Equal(t, 9, r.Concerns[1].SegmentIndex)

	assert.Equal(t, []string{"go", "kubernetes"}, r.ContextCovered)
	assert.Equal(t, []string{"backend", "engineer", "postgres"}, r.ContextMissing)
	require.NotEmpty(t, r.Topics)
	assert.Equal(t, Topic{Term: "service", Count: 2}, r.Topics[0], "service and services share a stem")
	assert.Contains(t, r.Summary, "Sam interviewed Ana, asking 3 question(s), 3 answered.")
}

func TestInterviewRolesFromContext(t *testing.T) {
	// Here the candidate asks more questions than the interviewer; the
	// context settles who is who.
	segs := []ai.Segment{
		seg("Kim", "Welcome. Please introduce yourself."),
		seg("Lou", "Sure. Before that, what does the team work on? And how big is it?"),
		seg("Kim", "Payments, eight people."),
	}
	r := Interview(segs, "candidate: Lou")
	assert.Equal(t, "Lou", r.Candidate)
	assert.Equal(t, "Kim", r.Interviewer)

	r = Interview(segs, "")
	assert.Equal(t, "Lou", r.Interviewer, "without context the one asking most questions interviews")
}

func TestInterviewEmpty(t *testing.T) {
	r := Interview(nil, "")
	assert.Empty(t, r.Questions)
	assert.NotNil(t, r.Questions)
	assert.Equal(t, "Empty transcript.", r.Summary)
}
