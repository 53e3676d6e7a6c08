// Package toolkit holds partner toolkits: versioned manifests of workspace
// entities (meeting templates, next steps, action buttons, shortcuts,
// workflow templates, canvas templates) that users install into their
// workspace. An install creates the manifest's entities, an uninstall
// removes exactly those, and publishing a new version propagates it to the
// installed workspaces as durable jobs. Manifests are stored as given and
// echoed unchanged; export turns a toolkit or a set of entities back into a
// manifest that installs to the same entities.
//
// A partner app reaches its own toolkits (admin key); a user reaches the
// active toolkits of the app behind their token, and installs them into
// their own workspace.
package toolkit

import (
	"encoding/json"
	"time"
)

// The version statuses.
const (
	Draft      = "DRAFT"
	Published  = "PUBLISHED"
	Deprecated = "DEPRECATED"
)

// The installation statuses.
const (
	Active   = "active"
	OptedOut = "opted_out"
)

// Propagation says what publishing a version does to installed workspaces.
type Propagation string

// The propagation modes. Normal updates every active installation but
// keeps the entities a workspace changed since they were installed; Force
// overwrites those too. Workspaces that opted out are never touched.
const (
	PropagateNone   Propagation = "none"
	PropagateNormal Propagation = "normal"
	PropagateForce  Propagation = "force"
)

// Toolkit is a partner app's toolkit.
type Toolkit struct {
	ID            int64
	UUID          string
	AppID         int64
	AppUUID       string
	Name          string
	Slug          string
	Description   string
	Version       string
	Ownership     string
	Manifest      json.RawMessage
	IsActive      bool
	AutoPropagate bool
	AutoInstall   bool
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Summary counts the entities of the toolkit's current manifest.
func (t Toolkit) Summary() Summary {
	m, _ := ParseManifest(t.Manifest)
	return m.Summarize()
}

// Version is one version of a toolkit.
type Version struct {
	ID           int64
	UUID         string
	ToolkitUUID  string
	Number       int
	Label        string
	Status       string
	Manifest     json.RawMessage
	Changelog    string
	CreatedBy    string
	PublishedAt  time.Time
	DeprecatedAt time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Conflict is an entity of a manifest that meets an existing one.
type Conflict struct {
	EntityType       string `json:"entity_type"`
	EntityName       string `json:"entity_name"`
	ConflictType     string `json:"conflict_type"`
	ExistingEntityID string `json:"existing_entity_id"`
	Resolution       string `json:"resolution"`
	Message          string `json:"message"`
}

// Check is what a dry run reports.
type Check struct {
	Validation Validation
	Conflicts  []Conflict
	Summary    Summary
}

// NewToolkit is the input for creating a toolkit.
type NewToolkit struct {
	Name        string
	Slug        string
	Description string
	Version     string
	Manifest    json.RawMessage
	DryRun      bool
}

// Created is the outcome of a create: the toolkit (nil for a dry run) and
// the check of its manifest.
type Created struct {
	Toolkit *Toolkit
	Check   Check
}

// Patch holds the toolkit settings to change; nil fields stay. Version and
// Manifest are no longer changed this way (versions are); supplying either
// is a conflict.
type Patch struct {
	Name          *string
	Description   *string
	IsActive      *bool
	AutoPropagate *bool
	AutoInstall   *bool
	Version       *string
	Manifest      json.RawMessage
}

// NewVersion is the input for a new draft version.
type NewVersion struct {
	Label     string
	Manifest  json.RawMessage
	Changelog string
	DryRun    bool
}

// VersionCreated is the outcome of creating a version.
type VersionCreated struct {
	Version *Version
	Check   Check
}

// VersionPatch changes a draft; nil fields stay.
type VersionPatch struct {
	Label     *string
	Manifest  json.RawMessage
	Changelog *string
}

// Entities maps each kind to the manifest-local ids of an installation's
// entities and their UUIDs.
type Entities map[string]map[string]string

// Installation is a toolkit installed (or once installed) in a workspace.
type Installation struct {
	ID            int64
	UUID          string
	ToolkitUUID   string
	OrgID         int64
	WorkspaceUUID string
	WorkspaceName string
	Status        string
	VersionLabel  string
	InstalledBy   string // the user's public id
	InstalledAt   time.Time
	UninstalledAt time.Time
	Entities      Entities
	// DryRun marks an installation that was only checked, with Check.
	DryRun bool
	Check  Check
}

// UserToolkit is a toolkit as a user sees it, with its installation in the
// user's workspace if there is an active one.
type UserToolkit struct {
	Toolkit
	Installation *Installation
}

// InstallationPage is one page of a toolkit's installations with counts
// over all of them.
type InstallationPage struct {
	Items                    []Installation
	Active, OptedOut         int
	NeverInstalled           int
	TotalConnectedWorkspaces int
	Limit, Offset            int
}

// Workspace is a workspace linked to a partner app.
type Workspace struct {
	UUID          string
	Name          string
	ProvisionedAt time.Time
	UserCount     int
}

// Export is a manifest built from entities.
type Export struct {
	Name        string
	Slug        string
	Description string
	Version     string
	License     string
	LicenseURL  string
	Manifest    Manifest
	Summary     Summary
	Warnings    []ExportWarning
}

// ExportWarning tells what an export changed or could not include.
type ExportWarning struct {
	EntityType string `json:"entity_type"`
	EntityName string `json:"entity_name"`
	Code       string `json:"code"`
	Message    string `json:"message"`
}

// ExportRequest names the entities to export.
type ExportRequest struct {
	TemplateIDs       []string
	NextStepIDs       []string
	ActionButtonIDs   []string
	ShortcutIDs       []string
	WorkflowIDs       []string
	CanvasTemplateIDs []string
	Name              string
	Description       string
}
