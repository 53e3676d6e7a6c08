package toolkit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/quorumhq/quorum/internal/nextstep"
	"github.com/quorumhq/quorum/internal/template"
	"github.com/quorumhq/quorum/internal/workflow"
)

// Manifest is a toolkit manifest as Quorum reads it. The manifest itself is
// stored and echoed exactly as the partner sent it; this is only its
// reading. Each entry is either {"id": "<uuid of an existing entity>"} or
// {"spec": {...}}; a spec may carry a manifest-local "$id" that relations
// name with {"$ref": "<local id>"} ({"$id": "<uuid>"} names an existing
// entity instead).
type Manifest struct {
	Name            string          `json:"name,omitempty"`
	Version         string          `json:"version,omitempty"`
	SchemaVersion   string          `json:"schema_version,omitempty"`
	OwnershipType   string          `json:"ownership_type,omitempty"`
	License         string          `json:"license,omitempty"`
	LicenseURL      string          `json:"license_url,omitempty"`
	ToolkitPrompt   string          `json:"toolkit_prompt,omitempty"`
	UsageGuidance   string          `json:"usage_guidance,omitempty"`
	Templates       []TemplateEntry `json:"templates,omitempty"`
	NextSteps       []NextStepEntry `json:"next_steps,omitempty"`
	ActionButtons   []ButtonEntry   `json:"action_buttons,omitempty"`
	Shortcuts       []ShortcutEntry `json:"shortcuts,omitempty"`
	Workflows       []WorkflowEntry `json:"workflows,omitempty"`
	CanvasTemplates []CanvasEntry   `json:"canvas_templates,omitempty"`
}

// Ref names an entity from a relation: a spec of the manifest by its local
// id, or an existing entity by its UUID.
type Ref struct {
	Ref string `json:"$ref,omitempty"`
	ID  string `json:"$id,omitempty"`
}

// TemplateEntry is a template of a manifest.
type TemplateEntry struct {
	ID        string            `json:"id,omitempty"`
	Spec      *TemplateSpec     `json:"spec,omitempty"`
	NextSteps []TemplateStepRel `json:"next_steps,omitempty"`
}

// TemplateSpec describes a template to create.
type TemplateSpec struct {
	LocalID                string                 `json:"$id,omitempty"`
	Name                   string                 `json:"name"`
	Description            string                 `json:"description,omitempty"`
	BackingMeetingID       string                 `json:"backing_meeting_id,omitempty"`
	Title                  string                 `json:"title,omitempty"`
	DetailLevel            string                 `json:"detail_level,omitempty"`
	MeetingDurationSeconds *int                   `json:"meeting_duration_seconds,omitempty"`
	StartTimeOffsetSeconds *int                   `json:"start_time_offset_seconds,omitempty"`
	AgendaItems            []template.AgendaItem  `json:"agenda_items,omitempty"`
	Participants           []template.Participant `json:"participants,omitempty"`
}

// TemplateStepRel puts a next step on a template.
type TemplateStepRel struct {
	NextStep            Ref  `json:"next_step"`
	Autopilot           bool `json:"autopilot,omitempty"`
	SortOrder           *int `json:"sort_order,omitempty"`
	DefaultActionButton *Ref `json:"default_action_button,omitempty"`
}

// NextStepEntry is a next step of a manifest.
type NextStepEntry struct {
	ID                  string        `json:"id,omitempty"`
	Spec                *NextStepSpec `json:"spec,omitempty"`
	ActionButtons       []ButtonRel   `json:"action_buttons,omitempty"`
	DefaultActionButton *Ref          `json:"default_action_button,omitempty"`
}

// NextStepSpec describes a next step to create.
type NextStepSpec struct {
	LocalID     string `json:"$id,omitempty"`
	Name        string `json:"name"`
	Type        string `json:"type,omitempty"`
	Description string `json:"description,omitempty"`
	AIPrompt    string `json:"ai_prompt,omitempty"`
	Color       string `json:"color,omitempty"`
	IconName    string `json:"icon_name,omitempty"`
	RedirectURL string `json:"redirect_url,omitempty"`
	SortOrder   *int   `json:"sort_order,omitempty"`
}

// ButtonRel puts an action button on a next step.
type ButtonRel struct {
	ActionButton Ref  `json:"action_button"`
	SortOrder    *int `json:"sort_order,omitempty"`
}

// ButtonEntry is an action button of a manifest.
type ButtonEntry struct {
	ID   string      `json:"id,omitempty"`
	Spec *ButtonSpec `json:"spec,omitempty"`
}

// ButtonSpec describes an action button to create, with the field names of
// both the spec and the SDK.
type ButtonSpec struct {
	LocalID                      string `json:"$id,omitempty"`
	Name                         string `json:"name"`
	Description                  string `json:"description,omitempty"`
	ContentFormat                string `json:"content_format"`
	DeliveryMechanism            string `json:"delivery_mechanism"`
	IconName                     string `json:"icon_name,omitempty"`
	IconURL                      string `json:"icon_url,omitempty"`
	FileFormat                   string `json:"file_format,omitempty"`
	IntegrationType              string `json:"integration_type,omitempty"`
	IntegrationID                string `json:"integration_id,omitempty"`
	IsDefaultForNextStep         bool   `json:"is_default_for_next_step,omitempty"`
	RedirectURL                  string `json:"redirect_url,omitempty"`
	RedirectURLTemplate          string `json:"redirect_url_template,omitempty"`
	RequiresConnectedIntegration bool   `json:"requires_connected_integration,omitempty"`
	SortOrder                    *int   `json:"sort_order,omitempty"`
	WebhookURL                   string `json:"webhook_url,omitempty"`
	EmailSubjectTemplate         string `json:"email_subject_template,omitempty"`
}

// ShortcutEntry is a shortcut of a manifest.
type ShortcutEntry struct {
	ID   string        `json:"id,omitempty"`
	Spec *ShortcutSpec `json:"spec,omitempty"`
}

// ShortcutSpec describes a shortcut to create.
type ShortcutSpec struct {
	LocalID     string            `json:"$id,omitempty"`
	Slug        string            `json:"slug,omitempty"`
	Name        string            `json:"name"`
	Prompt      string            `json:"prompt"`
	Description string            `json:"description,omitempty"`
	Color       string            `json:"color,omitempty"`
	IconName    string            `json:"icon_name,omitempty"`
	Icon        string            `json:"icon,omitempty"`
	Surfaces    []ShortcutSurface `json:"surfaces,omitempty"`
}

// ShortcutSurface places a shortcut on a surface of the app.
type ShortcutSurface struct {
	Surface  string `json:"surface"`
	Position int    `json:"position,omitempty"`
}

// WorkflowEntry is a workflow template of a manifest.
type WorkflowEntry struct {
	ID   string        `json:"id,omitempty"`
	Spec *WorkflowSpec `json:"spec,omitempty"`
}

// WorkflowSpec describes a workflow template to create; Spec is its DAG
// (see internal/workflow).
type WorkflowSpec struct {
	LocalID     string          `json:"$id,omitempty"`
	Slug        string          `json:"slug,omitempty"`
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Spec        json.RawMessage `json:"spec"`
}

// CanvasEntry is a canvas template of a manifest.
type CanvasEntry struct {
	ID   string      `json:"id,omitempty"`
	Spec *CanvasSpec `json:"spec,omitempty"`
}

// CanvasSpec describes a canvas template to create.
type CanvasSpec struct {
	LocalID     string          `json:"$id,omitempty"`
	Slug        string          `json:"slug,omitempty"`
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Content     json.RawMessage `json:"content,omitempty"`
	CanvasType  string          `json:"canvas_type,omitempty"`
}

// Issue is one finding of manifest validation.
type Issue struct {
	Path    string `json:"path"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Validation is the outcome of validating a manifest.
type Validation struct {
	Valid    bool    `json:"valid"`
	Errors   []Issue `json:"errors,omitempty"`
	Warnings []Issue `json:"warnings,omitempty"`
}

// Summary counts the entities of a manifest.
type Summary struct {
	Templates       int `json:"templates"`
	NextSteps       int `json:"next_steps"`
	ActionButtons   int `json:"action_buttons"`
	Shortcuts       int `json:"shortcuts"`
	Workflows       int `json:"workflows"`
	CanvasTemplates int `json:"canvas_templates"`
}

// Summarize counts a manifest's entries.
func (m Manifest) Summarize() Summary {
	return Summary{Templates: len(m.Templates), NextSteps: len(m.NextSteps), ActionButtons: len(m.ActionButtons),
		Shortcuts: len(m.Shortcuts), Workflows: len(m.Workflows), CanvasTemplates: len(m.CanvasTemplates)}
}

// The entity kinds, as manifests and export summaries name them.
const (
	KindTemplate = "templates"
	KindNextStep = "next_steps"
	KindButton   = "action_buttons"
	KindShortcut = "shortcuts"
	KindWorkflow = "workflows"
	KindCanvas   = "canvas_templates"
)

// Kinds lists the entity kinds in install order: an entity comes after the
// kinds it refers to.
var Kinds = []string{KindButton, KindNextStep, KindTemplate, KindShortcut, KindWorkflow, KindCanvas}

// localID is the manifest-local id of the i-th entry of a kind: its $id, or
// its position when it has none.
func localID(kind string, i int, id string) string {
	if id != "" {
		return id
	}
	return fmt.Sprintf("%s[%d]", kind, i)
}

// MaxManifestBytes bounds a manifest.
const MaxManifestBytes = 1 << 20

// ParseManifest reads and validates a manifest. Validation is structural:
// references to existing entities are checked when they are resolved
// against a workspace or an app.
func ParseManifest(raw json.RawMessage) (Manifest, Validation) {
	var m Manifest
	v := Validation{}
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		v.Errors = append(v.Errors, Issue{"", "invalid_type", "the manifest must be a JSON object"})
		return m, v
	}
	if len(raw) > MaxManifestBytes {
		v.Errors = append(v.Errors, Issue{"", "too_large", "the manifest is larger than 1 MiB"})
		return m, v
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&m); err != nil {
		v.Errors = append(v.Errors, Issue{"", "invalid_json", "the manifest does not match the manifest schema: " + err.Error()})
		return m, v
	}
	c := checker{v: &v, ids: map[string]map[string]bool{}}
	c.manifest(m)
	v.Valid = len(v.Errors) == 0
	return m, v
}

type checker struct {
	v   *Validation
	ids map[string]map[string]bool // kind -> local ids of its specs
}

func (c *checker) err(path, code, format string, args ...any) {
	c.v.Errors = append(c.v.Errors, Issue{path, code, fmt.Sprintf(format, args...)})
}

func (c *checker) warn(path, code, format string, args ...any) {
	c.v.Warnings = append(c.v.Warnings, Issue{path, code, fmt.Sprintf(format, args...)})
}

func (c *checker) text(path, value string, required bool, max int) {
	switch {
	case required && strings.TrimSpace(value) == "":
		c.err(path, "required", "%s is required", path)
	case utf8.RuneCountInString(value) > max:
		c.err(path, "too_long", "%s is longer than %d characters", path, max)
	case !utf8.ValidString(value) || strings.ContainsRune(value, 0):
		c.err(path, "invalid_encoding", "%s must be UTF-8 text without NUL characters", path)
	}
}

// entry checks that an entry has exactly one of id and spec, and records
// its local id.
func (c *checker) entry(kind string, i int, id string, hasSpec bool, local string) string {
	path := fmt.Sprintf("%s[%d]", kind, i)
	switch {
	case id != "" && hasSpec:
		c.err(path, "mutually_exclusive", "an entry has either id or spec, not both")
	case id == "" && !hasSpec:
		c.err(path, "required", "an entry needs id or spec")
	case id != "":
		if _, err := uuid.Parse(id); err != nil {
			c.err(path+".id", "invalid_id", "id must be the UUID of an existing entity")
		}
	}
	if local != "" {
		if c.ids[kind] == nil {
			c.ids[kind] = map[string]bool{}
		}
		if c.ids[kind][local] {
			c.err(path+".spec.$id", "duplicate_id", "$id %q is used twice among %s", local, kind)
		}
		c.ids[kind][local] = true
	}
	return path
}

func (c *checker) ref(path, kind string, r Ref) {
	switch {
	case r.Ref != "" && r.ID != "":
		c.err(path, "mutually_exclusive", "a reference has either $ref or $id, not both")
	case r.Ref == "" && r.ID == "":
		c.err(path, "required", "a reference needs $ref or $id")
	case r.Ref != "" && !c.ids[kind][r.Ref]:
		c.err(path+".$ref", "unresolved_ref", "$ref %q names no %s spec of this manifest", r.Ref, kind)
	case r.ID != "":
		if _, err := uuid.Parse(r.ID); err != nil {
			c.err(path+".$id", "invalid_id", "$id must be the UUID of an existing entity")
		}
	}
}

func (c *checker) url(path, raw string) {
	if raw == "" {
		return
	}
	// Templates such as {meeting_id} are filled at trigger time.
	u, err := url.Parse(strings.NewReplacer("{", "", "}", "").Replace(raw))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		c.err(path, "invalid_url", "%s must be an absolute http(s) URL", path)
	}
}

func (c *checker) manifest(m Manifest) {
	if m.OwnershipType != "" && !slices.Contains([]string{"SYSTEM", "PARTNER", "PUBLIC"}, m.OwnershipType) {
		c.err("ownership_type", "invalid_value", "ownership_type must be SYSTEM, PARTNER or PUBLIC")
	}
	c.text("toolkit_prompt", m.ToolkitPrompt, false, 10000)
	// Specs first, so that relations can name any of them.
	for i, e := range m.ActionButtons {
		path := c.entry(KindButton, i, e.ID, e.Spec != nil, specID(e.Spec != nil, func() string { return e.Spec.LocalID }))
		if s := e.Spec; s != nil {
			c.text(path+".spec.name", s.Name, true, 255)
			c.text(path+".spec.description", s.Description, false, 1000)
			if !slices.Contains(nextstep.ContentFormats, s.ContentFormat) {
				c.err(path+".spec.content_format", "invalid_value", "content_format must be one of %s", strings.Join(nextstep.ContentFormats, ", "))
			}
			if !slices.Contains(nextstep.DeliveryMechanisms, s.DeliveryMechanism) {
				c.err(path+".spec.delivery_mechanism", "invalid_value", "delivery_mechanism must be one of %s",
					strings.Join(nextstep.DeliveryMechanisms, ", "))
			}
			c.url(path+".spec.webhook_url", s.WebhookURL)
			c.url(path+".spec.redirect_url", firstOf(s.RedirectURL, s.RedirectURLTemplate))
			if s.DeliveryMechanism == nextstep.DeliverWebhook && s.WebhookURL == "" {
				c.err(path+".spec.webhook_url", "required", "a webhook button needs webhook_url")
			}
			if s.DeliveryMechanism == nextstep.DeliverRedirect && firstOf(s.RedirectURL, s.RedirectURLTemplate) == "" {
				c.err(path+".spec.redirect_url", "required", "a redirect button needs redirect_url")
			}
		}
	}
	for i, e := range m.NextSteps {
		path := c.entry(KindNextStep, i, e.ID, e.Spec != nil, specID(e.Spec != nil, func() string { return e.Spec.LocalID }))
		if s := e.Spec; s != nil {
			c.text(path+".spec.name", s.Name, true, 255)
			c.text(path+".spec.description", s.Description, false, 1000)
			c.text(path+".spec.ai_prompt", s.AIPrompt, false, 10000)
			c.url(path+".spec.redirect_url", s.RedirectURL)
			if s.Type == "" {
				c.warn(path+".spec.type", "defaulted", "type is missing; the step is read as %s", stepType(*s))
			} else if _, ok := nextstep.ParseType(s.Type); !ok {
				c.err(path+".spec.type", "invalid_value", "type must be ai or redirect (AI or STANDARD)")
			}
			if s.AIPrompt == "" && s.RedirectURL == "" {
				c.warn(path+".spec", "nothing_to_run", "the step has neither ai_prompt nor redirect_url, so executing it fails")
			}
		}
	}
	for i, e := range m.Templates {
		path := c.entry(KindTemplate, i, e.ID, e.Spec != nil, specID(e.Spec != nil, func() string { return e.Spec.LocalID }))
		if s := e.Spec; s != nil {
			c.template(path+".spec", *s)
		}
	}
	for i, e := range m.Shortcuts {
		path := c.entry(KindShortcut, i, e.ID, e.Spec != nil, specID(e.Spec != nil, func() string { return e.Spec.LocalID }))
		if s := e.Spec; s != nil {
			c.text(path+".spec.name", s.Name, true, 255)
			c.text(path+".spec.prompt", s.Prompt, true, 10000)
			if len(s.Surfaces) > 5 {
				c.err(path+".spec.surfaces", "too_many", "a shortcut is on at most 5 surfaces")
			}
			for j, sf := range s.Surfaces {
				sp := fmt.Sprintf("%s.spec.surfaces[%d]", path, j)
				if !slices.Contains([]string{"HOME", "MEETING_PREPARE", "MEETING_RUN", "MEETING_REVIEW", "CANVAS"}, sf.Surface) {
					c.err(sp+".surface", "invalid_value", "surface must be HOME, MEETING_PREPARE, MEETING_RUN, MEETING_REVIEW or CANVAS")
				}
				if sf.Position != 0 && (sf.Position < 1 || sf.Position > 10) {
					c.err(sp+".position", "invalid_value", "position must be 1 to 10")
				}
			}
		}
	}
	for i, e := range m.Workflows {
		path := c.entry(KindWorkflow, i, e.ID, e.Spec != nil, specID(e.Spec != nil, func() string { return e.Spec.LocalID }))
		if s := e.Spec; s != nil {
			c.text(path+".spec.name", s.Name, true, 255)
			if len(s.Spec) == 0 {
				c.err(path+".spec.spec", "required", "a workflow needs its DAG spec")
				continue
			}
			_, errs, warnings := workflow.ParseSpec(s.Spec)
			for _, p := range errs {
				c.err(joinPath(path+".spec.spec", p.Path), p.Code, "%s", p.Message)
			}
			for _, p := range warnings {
				c.warn(joinPath(path+".spec.spec", p.Path), p.Code, "%s", p.Message)
			}
		}
	}
	for i, e := range m.CanvasTemplates {
		path := c.entry(KindCanvas, i, e.ID, e.Spec != nil, specID(e.Spec != nil, func() string { return e.Spec.LocalID }))
		if s := e.Spec; s != nil {
			c.text(path+".spec.name", s.Name, true, 255)
			if s.CanvasType != "" && s.CanvasType != "MANUAL" && s.CanvasType != "AI" {
				c.err(path+".spec.canvas_type", "invalid_value", "canvas_type must be MANUAL or AI")
			}
			if len(s.Content) > 0 && bytes.TrimSpace(s.Content)[0] != '{' {
				c.err(path+".spec.content", "invalid_type", "content must be a JSON object")
			}
		}
	}
	// Relations.
	for i, e := range m.NextSteps {
		path := fmt.Sprintf("%s[%d]", KindNextStep, i)
		for j, r := range e.ActionButtons {
			c.ref(fmt.Sprintf("%s.action_buttons[%d].action_button", path, j), KindButton, r.ActionButton)
		}
		if e.DefaultActionButton != nil {
			c.ref(path+".default_action_button", KindButton, *e.DefaultActionButton)
		}
	}
	for i, e := range m.Templates {
		path := fmt.Sprintf("%s[%d]", KindTemplate, i)
		for j, r := range e.NextSteps {
			c.ref(fmt.Sprintf("%s.next_steps[%d].next_step", path, j), KindNextStep, r.NextStep)
			if r.DefaultActionButton != nil {
				c.ref(fmt.Sprintf("%s.next_steps[%d].default_action_button", path, j), KindButton, *r.DefaultActionButton)
			}
		}
	}
}

func (c *checker) template(path string, s TemplateSpec) {
	c.text(path+".name", s.Name, true, 255)
	c.text(path+".description", s.Description, false, 1000)
	c.text(path+".title", s.Title, false, 255)
	if s.DetailLevel != "" && !slices.Contains([]string{"BULLET_POINTS", "STANDARD", "VERBATIM"}, s.DetailLevel) {
		c.err(path+".detail_level", "invalid_value", "detail_level must be BULLET_POINTS, STANDARD or VERBATIM")
	}
	if s.BackingMeetingID != "" {
		c.warn(path+".backing_meeting_id", "ignored", "a manifest template copies no meeting; its agenda_items and participants are used")
	}
	if d := s.MeetingDurationSeconds; d != nil && (*d < 0 || *d > 86400) {
		c.err(path+".meeting_duration_seconds", "invalid_value", "meeting_duration_seconds must be 0 to 86400")
	}
	if o := s.StartTimeOffsetSeconds; o != nil && (*o < -1 || *o > 86400*365) {
		c.err(path+".start_time_offset_seconds", "invalid_value", "start_time_offset_seconds must be -1 (untimed) or a number of seconds")
	}
	for j, a := range s.AgendaItems {
		ap := fmt.Sprintf("%s.agenda_items[%d]", path, j)
		c.text(ap+".title", a.Title, true, 255)
		c.text(ap+".item_type", a.ItemType, true, 50)
		c.text(ap+".description", a.Description, false, 5000)
		if a.TimeAllocationMinutes < 0 || a.TimeAllocationMinutes > 1440 {
			c.err(ap+".time_allocation_minutes", "invalid_value", "time_allocation_minutes must be 0 to 1440")
		}
	}
	for j, p := range s.Participants {
		pp := fmt.Sprintf("%s.participants[%d]", path, j)
		c.text(pp+".email", p.Email, true, 320)
		c.text(pp+".name", p.Name, true, 255)
		if p.Role != "EDITOR" && p.Role != "VIEWER" {
			c.err(pp+".role", "invalid_value", "role must be EDITOR or VIEWER")
		}
		if !strings.Contains(p.Email, "@") {
			c.err(pp+".email", "invalid_value", "email must be an email address")
		}
	}
}

func specID(has bool, id func() string) string {
	if !has {
		return ""
	}
	return id()
}

func joinPath(base, sub string) string {
	if sub == "" {
		return base
	}
	return base + "." + sub
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// stepType is the type a next step spec is stored with.
func stepType(s NextStepSpec) nextstep.Type {
	if t, ok := nextstep.ParseType(s.Type); ok {
		return t
	}
	if s.AIPrompt == "" && s.RedirectURL != "" {
		return nextstep.TypeRedirect
	}
	return nextstep.TypeAI
}
