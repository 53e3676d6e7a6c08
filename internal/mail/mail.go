// Package mail sends Quorum's outgoing email: through SMTP when configured,
// otherwise into the log so a single-binary install still works.
package mail

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/smtp"
	"net/url"
	"strings"
)

// Message is one plain-text email.
type Message struct {
	To      string
	Subject string
	Body    string
}

// Sender delivers messages.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// LogSender writes messages to the log instead of sending them.
type LogSender struct{ Logger *slog.Logger }

// Send logs the message at info level.
func (s LogSender) Send(ctx context.Context, m Message) error {
	s.Logger.InfoContext(ctx, "outgoing mail", "to", m.To, "subject", m.Subject, "body", m.Body)
	return nil
}

// SMTPSender sends through an SMTP server.
type SMTPSender struct {
	addr string
	from string
	auth smtp.Auth
}

// NewSMTPSender parses smtp://user:pass@host:port?from=addr.
func NewSMTPSender(rawURL string) (*SMTPSender, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "smtp" || u.Host == "" {
		return nil, fmt.Errorf("smtp url must look like smtp://user:pass@host:port?from=addr")
	}
	host, port, err := net.SplitHostPort(u.Host)
	if err != nil {
		host, port = u.Host, "25"
	}
	from := u.Query().Get("from")
	if from == "" {
		return nil, fmt.Errorf("smtp url needs a from= query parameter")
	}
	s := &SMTPSender{addr: net.JoinHostPort(host, port), from: from}
	if u.User != nil {
		pass, _ := u.User.Password()
		s.auth = smtp.PlainAuth("", u.User.Username(), pass, host)
	}
	return s, nil
}

// Send delivers m. net/smtp has no context support, so ctx only gates the start.
func (s *SMTPSender) Send(ctx context.Context, m Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if strings.ContainsAny(m.To+m.Subject, "\r\n") {
		return fmt.Errorf("mail header contains a line break")
	}
	body := "From: " + s.from + "\r\nTo: " + m.To + "\r\nSubject: " + m.Subject +
		"\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + m.Body
	if err := smtp.SendMail(s.addr, s.auth, s.from, []string{m.To}, []byte(body)); err != nil {
		return fmt.Errorf("send mail to %s: %w", m.To, err)
	}
	return nil
}
