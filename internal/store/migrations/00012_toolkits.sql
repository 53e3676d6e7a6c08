-- +goose Up
-- Toolkits are a partner app's bundles of workspace entities (templates,
-- next steps, action buttons, shortcuts, workflows, canvas templates),
-- described by a manifest that is stored exactly as the partner sent it.
CREATE TABLE toolkits (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid           TEXT NOT NULL UNIQUE,
    app_id         BIGINT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    slug           TEXT NOT NULL,
    description    TEXT NOT NULL DEFAULT '',
    version        TEXT NOT NULL,
    ownership_type TEXT NOT NULL DEFAULT 'PARTNER',
    manifest       TEXT NOT NULL,
    is_active      BOOLEAN NOT NULL DEFAULT TRUE,
    auto_propagate BOOLEAN NOT NULL DEFAULT FALSE,
    auto_install   BOOLEAN NOT NULL DEFAULT FALSE,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    UNIQUE (app_id, slug)
);

CREATE TABLE toolkit_versions (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid           TEXT NOT NULL UNIQUE,
    toolkit_id     BIGINT NOT NULL REFERENCES toolkits (id) ON DELETE CASCADE,
    version_number INTEGER NOT NULL,
    version_label  TEXT NOT NULL,
    status         TEXT NOT NULL,
    manifest       TEXT NOT NULL,
    changelog      TEXT NOT NULL DEFAULT '',
    created_by     TEXT NOT NULL DEFAULT '',
    published_at   TIMESTAMPTZ,
    deprecated_at  TIMESTAMPTZ,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    UNIQUE (toolkit_id, version_number)
);
-- At most one draft and one published version per toolkit, whatever races.
CREATE UNIQUE INDEX toolkit_versions_draft_idx ON toolkit_versions (toolkit_id) WHERE status = 'DRAFT';
CREATE UNIQUE INDEX toolkit_versions_published_idx ON toolkit_versions (toolkit_id) WHERE status = 'PUBLISHED';

-- One row per toolkit and workspace that ever installed it; an uninstall
-- keeps the row as opted_out. synced_at is when its entities last matched
-- a manifest: an entity updated after it was changed in the workspace.
CREATE TABLE toolkit_installations (
    id                   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid                 TEXT NOT NULL UNIQUE,
    toolkit_id           BIGINT NOT NULL REFERENCES toolkits (id) ON DELETE CASCADE,
    org_id               BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    version_id           BIGINT REFERENCES toolkit_versions (id) ON DELETE SET NULL,
    version_label        TEXT NOT NULL DEFAULT '',
    status               TEXT NOT NULL,
    installed_by_user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    installed_at         TIMESTAMPTZ,
    uninstalled_at       TIMESTAMPTZ,
    synced_at            TIMESTAMPTZ,
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL,
    UNIQUE (toolkit_id, org_id)
);
CREATE INDEX toolkit_installations_org_idx ON toolkit_installations (org_id);

-- Workspace entities. Each belongs to a workspace (org_id), may belong to a
-- partner app (app_id) and, when a toolkit created it, to that installation
-- and its manifest-local id (local_id), so an uninstall removes exactly what
-- the install created and a new version updates it in place.
CREATE TABLE action_buttons (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid                TEXT NOT NULL UNIQUE,
    org_id              BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    app_id              BIGINT REFERENCES apps (id) ON DELETE CASCADE,
    installation_id     BIGINT REFERENCES toolkit_installations (id) ON DELETE CASCADE,
    local_id            TEXT NOT NULL DEFAULT '',
    name                TEXT NOT NULL,
    description         TEXT NOT NULL DEFAULT '',
    content_format      TEXT NOT NULL,
    delivery_mechanism  TEXT NOT NULL,
    icon_name           TEXT NOT NULL DEFAULT '',
    file_format         TEXT NOT NULL DEFAULT '',
    integration_type    TEXT NOT NULL DEFAULT '',
    redirect_url        TEXT NOT NULL DEFAULT '',
    webhook_url         TEXT NOT NULL DEFAULT '',
    email_subject       TEXT NOT NULL DEFAULT '',
    requires_integration BOOLEAN NOT NULL DEFAULT FALSE,
    sort_order          INTEGER NOT NULL DEFAULT 0,
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX action_buttons_org_idx ON action_buttons (org_id);
CREATE INDEX action_buttons_installation_idx ON action_buttons (installation_id);
CREATE INDEX action_buttons_app_idx ON action_buttons (app_id);

CREATE TABLE next_steps (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid            TEXT NOT NULL UNIQUE,
    org_id          BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    app_id          BIGINT REFERENCES apps (id) ON DELETE CASCADE,
    installation_id BIGINT REFERENCES toolkit_installations (id) ON DELETE CASCADE,
    local_id        TEXT NOT NULL DEFAULT '',
    name            TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    step_type       TEXT NOT NULL,
    ai_prompt       TEXT NOT NULL DEFAULT '',
    color           TEXT NOT NULL DEFAULT '',
    icon_name       TEXT NOT NULL DEFAULT '',
    redirect_url    TEXT NOT NULL DEFAULT '',
    sort_order      INTEGER NOT NULL DEFAULT 0,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX next_steps_org_idx ON next_steps (org_id);
CREATE INDEX next_steps_installation_idx ON next_steps (installation_id);
CREATE INDEX next_steps_app_idx ON next_steps (app_id);

CREATE TABLE next_step_buttons (
    next_step_id     BIGINT NOT NULL REFERENCES next_steps (id) ON DELETE CASCADE,
    action_button_id BIGINT NOT NULL REFERENCES action_buttons (id) ON DELETE CASCADE,
    sort_order       INTEGER NOT NULL DEFAULT 0,
    is_default       BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (next_step_id, action_button_id)
);
CREATE INDEX next_step_buttons_button_idx ON next_step_buttons (action_button_id);

CREATE TABLE meeting_next_steps (
    meeting_id   BIGINT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    next_step_id BIGINT NOT NULL REFERENCES next_steps (id) ON DELETE CASCADE,
    autopilot    BOOLEAN NOT NULL DEFAULT FALSE,
    sort_order   INTEGER NOT NULL DEFAULT 0,
    created_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (meeting_id, next_step_id)
);
CREATE INDEX meeting_next_steps_step_idx ON meeting_next_steps (next_step_id);

-- A next step's execution over one meeting; readable for seven days.
CREATE TABLE next_step_results (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid           TEXT NOT NULL UNIQUE,
    org_id         BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    meeting_id     BIGINT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    next_step_id   BIGINT REFERENCES next_steps (id) ON DELETE SET NULL,
    next_step_uuid TEXT NOT NULL,
    app_id         BIGINT REFERENCES apps (id) ON DELETE SET NULL,
    user_id        BIGINT REFERENCES users (id) ON DELETE SET NULL,
    status         TEXT NOT NULL,
    content        TEXT NOT NULL DEFAULT '',
    content_format TEXT NOT NULL DEFAULT 'markdown',
    redirect_url   TEXT NOT NULL DEFAULT '',
    error_message  TEXT NOT NULL DEFAULT '',
    expires_at     TIMESTAMPTZ NOT NULL,
    completed_at   TIMESTAMPTZ,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX next_step_results_meeting_idx ON next_step_results (meeting_id, created_at);

-- One press of an action button and what its action did.
CREATE TABLE action_button_invocations (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid               TEXT NOT NULL UNIQUE,
    org_id             BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    meeting_id         BIGINT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    action_button_id   BIGINT REFERENCES action_buttons (id) ON DELETE SET NULL,
    next_step_uuid     TEXT NOT NULL DEFAULT '',
    result_uuid        TEXT NOT NULL DEFAULT '',
    app_id             BIGINT REFERENCES apps (id) ON DELETE SET NULL,
    user_id            BIGINT REFERENCES users (id) ON DELETE SET NULL,
    delivery_mechanism TEXT NOT NULL,
    target             TEXT NOT NULL DEFAULT '',
    subject            TEXT NOT NULL DEFAULT '',
    content            TEXT NOT NULL DEFAULT '',
    content_format     TEXT NOT NULL DEFAULT 'markdown',
    status             TEXT NOT NULL,
    message            TEXT NOT NULL DEFAULT '',
    redirect_url       TEXT NOT NULL DEFAULT '',
    document_uuid      TEXT NOT NULL DEFAULT '',
    error_message      TEXT NOT NULL DEFAULT '',
    created_at         TIMESTAMPTZ NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX action_button_invocations_meeting_idx ON action_button_invocations (meeting_id);

-- Meeting templates. agenda and participants are the template's content as
-- JSON arrays, written onto a meeting when the template is applied.
CREATE TABLE templates (
    id                   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid                 TEXT NOT NULL UNIQUE,
    org_id               BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    app_id               BIGINT REFERENCES apps (id) ON DELETE CASCADE,
    installation_id      BIGINT REFERENCES toolkit_installations (id) ON DELETE CASCADE,
    local_id             TEXT NOT NULL DEFAULT '',
    name                 TEXT NOT NULL,
    description          TEXT NOT NULL DEFAULT '',
    backing_meeting_id   BIGINT REFERENCES meetings (id) ON DELETE SET NULL,
    title                TEXT NOT NULL DEFAULT '',
    detail_level         TEXT NOT NULL DEFAULT '',
    duration_seconds     INTEGER NOT NULL DEFAULT 0,
    start_offset_seconds INTEGER NOT NULL DEFAULT -1,
    ownership_type       TEXT NOT NULL,
    is_active            BOOLEAN NOT NULL DEFAULT TRUE,
    agenda               TEXT NOT NULL DEFAULT '[]',
    participants         TEXT NOT NULL DEFAULT '[]',
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL
);
CREATE INDEX templates_org_idx ON templates (org_id, created_at);
CREATE INDEX templates_app_idx ON templates (app_id, created_at);
CREATE INDEX templates_installation_idx ON templates (installation_id);

CREATE TABLE template_next_steps (
    template_id  BIGINT NOT NULL REFERENCES templates (id) ON DELETE CASCADE,
    next_step_id BIGINT NOT NULL REFERENCES next_steps (id) ON DELETE CASCADE,
    autopilot    BOOLEAN NOT NULL DEFAULT FALSE,
    sort_order   INTEGER NOT NULL DEFAULT 0,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (template_id, next_step_id)
);
CREATE INDEX template_next_steps_step_idx ON template_next_steps (next_step_id);

CREATE TABLE template_applications (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid         TEXT NOT NULL UNIQUE,
    org_id       BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    template_id  BIGINT NOT NULL REFERENCES templates (id) ON DELETE CASCADE,
    meeting_id   BIGINT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    agenda_items INTEGER NOT NULL DEFAULT 0,
    participants INTEGER NOT NULL DEFAULT 0,
    next_steps   INTEGER NOT NULL DEFAULT 0,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX template_applications_meeting_idx ON template_applications (meeting_id);

CREATE TABLE shortcuts (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid            TEXT NOT NULL UNIQUE,
    org_id          BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    app_id          BIGINT REFERENCES apps (id) ON DELETE CASCADE,
    installation_id BIGINT REFERENCES toolkit_installations (id) ON DELETE CASCADE,
    local_id        TEXT NOT NULL DEFAULT '',
    slug            TEXT NOT NULL DEFAULT '',
    name            TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    prompt          TEXT NOT NULL,
    color           TEXT NOT NULL DEFAULT '',
    icon_name       TEXT NOT NULL DEFAULT '',
    surfaces        TEXT NOT NULL DEFAULT '[]',
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX shortcuts_org_idx ON shortcuts (org_id);
CREATE INDEX shortcuts_installation_idx ON shortcuts (installation_id);
CREATE INDEX shortcuts_app_idx ON shortcuts (app_id);

CREATE TABLE canvas_templates (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid            TEXT NOT NULL UNIQUE,
    org_id          BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    app_id          BIGINT REFERENCES apps (id) ON DELETE CASCADE,
    installation_id BIGINT REFERENCES toolkit_installations (id) ON DELETE CASCADE,
    local_id        TEXT NOT NULL DEFAULT '',
    slug            TEXT NOT NULL DEFAULT '',
    name            TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    canvas_type     TEXT NOT NULL DEFAULT 'MANUAL',
    content         TEXT NOT NULL DEFAULT '{}',
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX canvas_templates_org_idx ON canvas_templates (org_id);
CREATE INDEX canvas_templates_installation_idx ON canvas_templates (installation_id);
CREATE INDEX canvas_templates_app_idx ON canvas_templates (app_id);

-- Workflow templates hold a DAG spec (see internal/workflow); a run walks
-- it one step at a time, each step a durable job.
CREATE TABLE workflow_templates (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid            TEXT NOT NULL UNIQUE,
    org_id          BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    app_id          BIGINT REFERENCES apps (id) ON DELETE CASCADE,
    installation_id BIGINT REFERENCES toolkit_installations (id) ON DELETE CASCADE,
    local_id        TEXT NOT NULL DEFAULT '',
    slug            TEXT NOT NULL DEFAULT '',
    name            TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    is_active       BOOLEAN NOT NULL DEFAULT TRUE,
    spec            TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX workflow_templates_org_idx ON workflow_templates (org_id);
CREATE INDEX workflow_templates_app_idx ON workflow_templates (app_id, created_at);
CREATE INDEX workflow_templates_installation_idx ON workflow_templates (installation_id);

CREATE TABLE workflow_runs (
    id                   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid                 TEXT NOT NULL UNIQUE,
    org_id               BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    template_id          BIGINT NOT NULL REFERENCES workflow_templates (id) ON DELETE CASCADE,
    app_id               BIGINT REFERENCES apps (id) ON DELETE SET NULL,
    originating_id       TEXT NOT NULL,
    originating_type     TEXT NOT NULL,
    status               TEXT NOT NULL,
    trigger_type         TEXT NOT NULL,
    triggered_by_user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    name                 TEXT NOT NULL DEFAULT '',
    context              TEXT NOT NULL DEFAULT '{}',
    error_message        TEXT NOT NULL DEFAULT '',
    started_at           TIMESTAMPTZ,
    completed_at         TIMESTAMPTZ,
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL
);
CREATE INDEX workflow_runs_org_idx ON workflow_runs (org_id, created_at);

CREATE TABLE workflow_steps (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid          TEXT NOT NULL UNIQUE,
    run_id        BIGINT NOT NULL REFERENCES workflow_runs (id) ON DELETE CASCADE,
    node_id       TEXT NOT NULL,
    node_type     TEXT NOT NULL,
    position      INTEGER NOT NULL,
    depends_on    TEXT NOT NULL DEFAULT '[]',
    config        TEXT NOT NULL DEFAULT '{}',
    status        TEXT NOT NULL,
    output        TEXT NOT NULL DEFAULT 'null',
    error_message TEXT NOT NULL DEFAULT '',
    started_at    TIMESTAMPTZ,
    completed_at  TIMESTAMPTZ,
    UNIQUE (run_id, node_id)
);

-- +goose Down
DROP TABLE workflow_steps;
DROP TABLE workflow_runs;
DROP TABLE workflow_templates;
DROP TABLE canvas_templates;
DROP TABLE shortcuts;
DROP TABLE template_applications;
DROP TABLE template_next_steps;
DROP TABLE templates;
DROP TABLE action_button_invocations;
DROP TABLE next_step_results;
DROP TABLE meeting_next_steps;
DROP TABLE next_step_buttons;
DROP TABLE next_steps;
DROP TABLE action_buttons;
DROP TABLE toolkit_installations;
DROP TABLE toolkit_versions;
DROP TABLE toolkits;
