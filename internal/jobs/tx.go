package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/quorumhq/quorum/internal/store"
)

// Tx is a write transaction on Quorum's database in which jobs can be
// enqueued too: they become visible to workers only if it commits. Use the
// embedded *sql.Tx for the caller's own reads and writes.
//
// It exists because River's PostgreSQL driver takes a pgx.Tx, not the
// *sql.Tx that Quorum's stores use, and database/sql offers no way from a
// *sql.Tx to its driver connection. A *sql.Conn does (Conn.Raw), so Queue.Tx
// begins the transaction on a connection it holds and later hands River that
// connection's pgx.Conn, which is inside the same transaction.
type Tx struct {
	*sql.Tx
	q    *Queue
	conn *sql.Conn // PostgreSQL only
}

// Tx runs fn in one write transaction, committing when fn returns nil and
// rolling back otherwise, jobs inserted with tx.Insert included.
func (q *Queue) Tx(ctx context.Context, fn func(tx *Tx) error) error {
	t := &Tx{q: q}
	var err error
	if q.db.Dialect == store.Postgres {
		if t.conn, err = q.db.W.Conn(ctx); err != nil {
			return fmt.Errorf("get connection: %w", err)
		}
		defer t.conn.Close()
		t.Tx, err = t.conn.BeginTx(ctx, nil)
	} else {
		t.Tx, err = q.db.W.BeginTx(ctx, nil)
	}
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	if err := fn(t); err != nil {
		_ = t.Rollback()
		return err
	}
	if err := t.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Insert enqueues a job within the transaction and returns its id; see
// Queue.Insert. On PostgreSQL it must not be called while rows of a query on
// the same transaction are still open, as the connection is busy then.
func (t *Tx) Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (int64, error) {
	var (
		res *rivertype.JobInsertResult
		err error
	)
	if t.q.sqlite != nil {
		res, err = t.q.sqlite.InsertTx(ctx, t.Tx, args, opts)
	} else {
		err = t.conn.Raw(func(driverConn any) error {
			c, ok := driverConn.(*stdlib.Conn)
			if !ok {
				return fmt.Errorf("unexpected driver connection %T", driverConn)
			}
			var ierr error
			res, ierr = t.q.pg.InsertTx(ctx, &connTx{conn: c.Conn()}, args, opts)
			return ierr
		})
	}
	if err != nil {
		return 0, fmt.Errorf("enqueue %s job: %w", args.Kind(), err)
	}
	return res.Job.ID, nil
}

// errOuterTx is returned when River tries to end the transaction that Queue.Tx
// owns; only Queue.Tx commits or rolls it back.
var errOuterTx = errors.New("jobs: transaction is owned by Queue.Tx")

// connTx presents a pgx connection that is already inside a transaction
// (begun through database/sql) as a pgx.Tx. Statements run on the connection
// and so within the transaction; nested transactions are savepoints, as in
// pgx's own Tx.
type connTx struct {
	conn      *pgx.Conn
	depth     int
	savepoint string // empty for the outer transaction
}

var _ pgx.Tx = (*connTx)(nil)

func (t *connTx) Begin(ctx context.Context) (pgx.Tx, error) {
	name := "jobs_sp_" + strconv.Itoa(t.depth+1)
	if _, err := t.conn.Exec(ctx, "SAVEPOINT "+name); err != nil {
		return nil, err
	}
	return &connTx{conn: t.conn, depth: t.depth + 1, savepoint: name}, nil
}

func (t *connTx) Commit(ctx context.Context) error {
	if t.savepoint == "" {
		return errOuterTx
	}
	_, err := t.conn.Exec(ctx, "RELEASE SAVEPOINT "+t.savepoint)
	return err
}

func (t *connTx) Rollback(ctx context.Context) error {
	if t.savepoint == "" {
		return errOuterTx
	}
	_, err := t.conn.Exec(ctx, "ROLLBACK TO SAVEPOINT "+t.savepoint)
	return err
}

func (t *connTx) CopyFrom(ctx context.Context, table pgx.Identifier, cols []string, src pgx.CopyFromSource) (int64, error) {
	return t.conn.CopyFrom(ctx, table, cols, src)
}

func (t *connTx) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	return t.conn.SendBatch(ctx, b)
}

func (t *connTx) LargeObjects() pgx.LargeObjects { return pgx.LargeObjects{} }

func (t *connTx) Prepare(ctx context.Context, name, sql string) (*pgconn.StatementDescription, error) {
	return t.conn.Prepare(ctx, name, sql)
}

func (t *connTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	return t.conn.Exec(ctx, sql, args...)
}

func (t *connTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return t.conn.Query(ctx, sql, args...)
}

func (t *connTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return t.conn.QueryRow(ctx, sql, args...)
}

func (t *connTx) Conn() *pgx.Conn { return t.conn }
