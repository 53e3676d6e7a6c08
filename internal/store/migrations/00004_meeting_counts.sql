-- +goose Up
-- A meeting keeps its segment count so that reading a meeting does not count
-- its transcript every time.
ALTER TABLE meetings ADD COLUMN segment_count INTEGER NOT NULL DEFAULT 0;
UPDATE meetings SET segment_count = (SELECT COUNT(*) FROM transcript_segments t WHERE t.meeting_id = meetings.id);

-- +goose Down
ALTER TABLE meetings DROP COLUMN segment_count;
