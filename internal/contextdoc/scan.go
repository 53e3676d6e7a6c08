package contextdoc

import (
	"regexp"
	"sort"
	"strings"
)

// Finding types of the sanitization report.
const (
	FindingPrivateKey = "private_key"
	FindingAPIKey     = "api_key"
	FindingCard       = "credit_card"
	FindingEmail      = "email"
	FindingPhone      = "phone"
)

// detector finds one kind of sensitive text. value, when set, is the
// submatch to redact (the secret after "api_key="), keeping its label.
// classify, when set, names the kind of each match ("" keeps it).
type detector struct {
	kind     string
	re       *regexp.Regexp
	value    int
	classify func(string) string
}

// secretKinds are the findings that are secrets rather than personal data.
var secretKinds = map[string]bool{FindingPrivateKey: true, FindingAPIKey: true}

// detectors run in order over text the previous ones already redacted, so a
// private key is not also counted as the API keys inside it.
var detectors = []detector{
	{kind: FindingPrivateKey,
		re: regexp.MustCompile(`-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----(?s:.*?)(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\z)`)},
	{kind: FindingAPIKey, re: regexp.MustCompile(`\b(?:` +
		`AKIA[0-9A-Z]{16}` + // AWS access key id
		`|gh[pousr]_[A-Za-z0-9]{36,}` + // GitHub
		`|github_pat_[A-Za-z0-9_]{40,}` +
		`|xox[abposr]-[A-Za-z0-9-]{10,}` + // Slack
		`|[sr]k_(?:live|test)_[A-Za-z0-9]{16,}` + // Stripe
		`|sk-(?:proj-)?[A-Za-z0-9_-]{20,}` + // OpenAI-style
		`|AIza[0-9A-Za-z_-]{35}` + // Google
		`|glpat-[A-Za-z0-9_-]{20,}` + // GitLab
		`|(?:cto|qak|ct)_[A-Za-z0-9_]{24,}` + // Quorum's own tokens and keys
		`)`)},
	{kind: FindingAPIKey, value: 1,
		re: regexp.MustCompile(`(?i)\b(?:api[_-]?key|secret|access[_-]?token|auth[_-]?token|password|passwd)\b["']?\s*[:=]\s*["']?([A-Za-z0-9_\-/+=.]{8,})`)},
	{kind: FindingEmail, re: regexp.MustCompile(`\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b`)},
	// A run of digit groups is a card number or a phone number, or neither
	// (a date, an amount, an id).
	{re: regexp.MustCompile(`\+?\(?\d+\)?(?:[ .-]\(?\d+\)?)*`), classify: classifyNumber},
}

// sanitize redacts secrets and personal data from text and reports what it
// found, counted per type.
func sanitize(text string) (string, Report) {
	counts := map[string]int{}
	var rep Report
	for _, d := range detectors {
		text = d.re.ReplaceAllStringFunc(text, func(m string) string {
			target, kind := m, d.kind
			if d.value > 0 {
				sub := d.re.FindStringSubmatch(m)
				if len(sub) <= d.value {
					return m
				}
				target = sub[d.value]
			}
			if d.classify != nil {
				if kind = d.classify(target); kind == "" {
					return m
				}
			}
			counts[kind]++
			if secretKinds[kind] {
				rep.SecretsDetected = true
			} else {
				rep.PIIDetected = true
			}
			return strings.Replace(m, target, "[REDACTED:"+kind+"]", 1)
		})
	}
	rep.Redactions = make([]Redaction, 0, len(counts))
	for kind, n := range counts {
		rep.Redactions = append(rep.Redactions, Redaction{Type: kind, Count: n})
	}
	sort.Slice(rep.Redactions, func(i, j int) bool { return rep.Redactions[i].Type < rep.Redactions[j].Type })
	return text, rep
}

// classifyNumber decides whether a run of digit groups is a payment card
// (13 to 19 digits passing the Luhn checksum) or a phone number (9 to 15
// digits, as E.164 allows, either international or grouped the way phone
// numbers are: at most one group shorter than three digits, which keeps
// dates and times out).
func classifyNumber(s string) string {
	var groups []int
	digits, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			digits++
			run++
			continue
		}
		if run > 0 {
			groups = append(groups, run)
		}
		run = 0
	}
	if run > 0 {
		groups = append(groups, run)
	}
	if digits >= 13 && digits <= 19 && luhn(s) {
		return FindingCard
	}
	if digits < 9 || digits > 15 {
		return ""
	}
	if strings.HasPrefix(s, "+") {
		return FindingPhone
	}
	short := 0
	for _, g := range groups {
		if g < 3 {
			short++
		}
	}
	if len(groups) >= 3 && short <= 1 || strings.HasPrefix(s, "(") && len(groups) >= 2 {
		return FindingPhone
	}
	return ""
}

// luhn reports whether a run of digits (spaces and dashes allowed) is a
// payment card number: 13 to 19 digits passing the Luhn checksum.
func luhn(s string) bool {
	sum, n := 0, 0
	for i := len(s) - 1; i >= 0; i-- {
		c := s[i]
		if c < '0' || c > '9' {
			continue
		}
		d := int(c - '0')
		if n%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		n++
	}
	return n >= 13 && n <= 19 && sum%10 == 0
}
