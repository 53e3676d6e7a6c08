package transcript

import (
	"errors"
	"fmt"
)

// ErrEmpty is returned when the input contains no segment with text.
var ErrEmpty = errors.New("transcript: no segments with text")

// ErrUnknownFormat is returned by Parse for a format it does not support.
var ErrUnknownFormat = errors.New("transcript: unknown format")

// SyntaxError describes malformed input. Line is 1-based; it is 0 when the
// position is unknown.
type SyntaxError struct {
	Format Format
	Line   int
	Msg    string
}

// Error implements error.
func (e *SyntaxError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("transcript: %s line %d: %s", e.Format, e.Line, e.Msg)
	}
	return fmt.Sprintf("transcript: %s: %s", e.Format, e.Msg)
}
